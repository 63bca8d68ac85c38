//go:build unix

package activities

import (
	"fmt"
	"io/fs"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/reel-video/reel/media"
	"github.com/reel-video/reel/plan"
	"github.com/reel-video/reel/profile"
	"github.com/reel-video/reel/vmaf"
	"github.com/reel-video/reel/workflows"
)

// TestOutputModesFollowUmask: everything a title's activities write to a
// local cache and output (chunks and their manifest, stitched rungs,
// audio, QC JSON, VMAF scores, report.json) is created as ordinary
// tools create files: 0666 and 0777 less the umask, so a web server or a
// reviewer in another account can read it. Not private 0600/0700 files,
// and not a hard-coded 0644 either.
//
// The umask is the process's: this test must not run in parallel.
func TestOutputModesFollowUmask(t *testing.T) {
	for _, tc := range []struct {
		umask     int
		file, dir fs.FileMode
	}{
		{0o022, 0o644, 0o755},
		{0o027, 0o640, 0o750},
	} {
		t.Run(fmt.Sprintf("umask%03o", tc.umask), func(t *testing.T) {
			root := t.TempDir()
			cache, out := filepath.Join(root, "cache"), filepath.Join(root, "title", "out")
			old := syscall.Umask(tc.umask)
			t.Cleanup(func() { syscall.Umask(old) })
			env, _ := actEnv(t)

			c, err := encodeChunk(t, env, workflows.EncodeChunkInput{Source: clip, Chunk: plan.Chunk{Frames: 25}, Rungs: chunkRungs, Cache: cache})
			if err != nil {
				t.Fatal(err)
			}
			var rungOuts []media.RungOutput
			for _, r := range c.Rungs {
				spec := chunkRungs[len(rungOuts)]
				v, err := env.ExecuteActivity(workflows.ActivityStitchRung, workflows.StitchRungInput{Rung: spec, Chunks: []string{r.Path}, Out: out})
				if err != nil {
					t.Fatal(err)
				}
				var ro media.RungOutput
				if err := v.Get(&ro); err != nil {
					t.Fatal(err)
				}
				rungOuts = append(rungOuts, ro)
			}

			v, err := env.ExecuteActivity(workflows.ActivityEncodeAudio, workflows.EncodeAudioInput{Source: clip, Spec: profile.DefaultAudio()[0], Out: out})
			if err != nil {
				t.Fatal(err)
			}
			var ao workflows.AudioOutput
			if err := v.Get(&ao); err != nil {
				t.Fatal(err)
			}

			v, err = env.ExecuteActivity(workflows.ActivityAnalyze, workflows.AnalyzeInput{Source: clip, Out: out, Frames: 132})
			if err != nil {
				t.Fatal(err)
			}
			var an workflows.AnalyzeOutput
			if err := v.Get(&an); err != nil {
				t.Fatal(err)
			}

			v, err = env.ExecuteActivity(workflows.ActivityWriteReport, workflows.WriteReportInput{
				TitleID: "modes", Out: out, Source: media.SourceInfo{URI: clip}, Specs: chunkRungs, Rungs: rungOuts,
				Audio: []workflows.AudioOutput{ao}, SourceQC: &an.QC, Shots: an.Shots,
			})
			if err != nil {
				t.Fatal(err)
			}

			// ScoreRungs' per-rung scores, through the writer it uses (a
			// real scoring pass is too slow for this test).
			if err := writeResult(ScoresPath(out, chunkRungs[0].ID), &vmaf.Result{}); err != nil {
				t.Fatal(err)
			}

			want := map[string]bool{ // a few of the files that must be there
				filepath.Join(ChunkDir(cache, c.Key), manifestName): true,
				ReportPath(out):                   true,
				QCPath(out, "source"):             true,
				AudioPath(out, ao.ID):             true,
				RungPath(out, chunkRungs[0].ID):   true,
				ScoresPath(out, chunkRungs[0].ID): true,
			}
			err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
				if err != nil || p == root {
					return err
				}
				fi, err := d.Info()
				if err != nil {
					return err
				}
				mode := tc.file
				if d.IsDir() {
					mode = tc.dir
				}
				if fi.Mode().Perm() != mode {
					t.Errorf("%s: mode %v, want %v", p, fi.Mode().Perm(), mode)
				}
				delete(want, p)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			for p := range want {
				t.Errorf("%s was not written", p)
			}
		})
	}
}
