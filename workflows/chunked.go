package workflows

import (
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/reel-video/reel/media"
	"github.com/reel-video/reel/plan"
)

// chunkedResult is what the chunked encode produced.
type chunkedResult struct {
	Rungs     []media.RungOutput
	Audio     []AudioOutput
	Chunks    []plan.Chunk
	Reused    int
	Concealed []int
	Warnings  []string
}

// cacheDir is where a title's chunk encodes go: TitleRequest.Cache, else a
// hidden directory in the output.
func cacheDir(req TitleRequest) string {
	if req.Cache != "" {
		return req.Cache
	}
	return req.Out + "/.chunks"
}

// PlanChunks cuts the source into chunks at the analyzed shot boundaries,
// per the profile. Pure; called from workflow code.
func PlanChunks(req TitleRequest, video *media.StreamInfo, shots []Shot) []plan.Chunk {
	ps := make([]plan.Shot, 0, len(shots))
	for _, s := range shots {
		ps = append(ps, plan.Shot{StartFrame: s.Start, Confidence: s.Confidence})
	}
	return plan.Chunks(video.FrameCount, video.FPS, ps, req.Profile.Chunking, req.Profile.SegmentFrames(video.FPS))
}

// chunkRun carries the chunked encode from the encode stage to the stitch
// stage.
type chunkRun struct {
	outs []EncodeChunkOutput
	// sizeChanges marks the rungs whose chunks differ in size (per-shot
	// resolution), stitched with StitchRungInput.SizeChanges.
	sizeChanges   []bool
	audio         []workflow.Future
	encodeSeconds float64
}

// sourceIdentity runs the SourceIdentity activity.
func sourceIdentity(ctx workflow.Context, req TitleRequest) (SourceID, error) {
	var id SourceID
	ioCtx := activityCtx(ctx, QueueIO, 10*time.Minute, 0)
	err := workflow.ExecuteActivity(ioCtx, ActivitySourceIdentity, SourceIdentityInput{Source: req.Source}).Get(ctx, &id)
	return id, err
}

// chunkSpecs returns the rung specs of chunk c.
type chunkSpecs func(c int) []media.RungSpec

// encodeChunks encodes every planned chunk (res.Chunks) to every rung on
// the encode queue, at most MaxParallel at once, counting finished chunks
// in the stage's Done/Total. The audio renditions start meanwhile.
func encodeChunks(ctx workflow.Context, st *Stage, req TitleRequest, id SourceID, specs chunkSpecs, res *chunkedResult) (*chunkRun, error) {
	st.Total = len(res.Chunks)
	run := &chunkRun{outs: make([]EncodeChunkOutput, len(res.Chunks))}

	audioCtx := activityCtx(ctx, QueueEncode, 6*time.Hour, heartbeatTimeout)
	for _, a := range req.Profile.Audio {
		run.audio = append(run.audio, workflow.ExecuteActivity(audioCtx, ActivityEncodeAudio, EncodeAudioInput{Source: req.Source, Spec: a, Out: req.Out}))
	}

	encCtx := activityCtx(ctx, QueueEncode, 24*time.Hour, heartbeatTimeout)
	err := fanOut(ctx, len(res.Chunks), req.Profile.Encode.MaxParallel, func(k int) workflow.Future {
		in := EncodeChunkInput{Source: req.Source, SourceID: id, Chunk: res.Chunks[k], Rungs: specs(k), Cache: cacheDir(req), Conceal: req.Profile.Conceal()}
		return workflow.ExecuteActivity(encCtx, ActivityEncodeChunk, in)
	}, func(k int, f workflow.Future) error {
		if err := f.Get(ctx, &run.outs[k]); err != nil {
			return err
		}
		st.Done++
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, o := range run.outs {
		run.encodeSeconds += o.EncodeSeconds
		if o.Reused {
			res.Reused++
		}
		res.Concealed = append(res.Concealed, o.Concealed...)
	}
	if len(res.Concealed) > 0 {
		res.Warnings = append(res.Warnings, fmt.Sprintf("%d source frames failed to decode and were concealed (previous frame repeated): %v", len(res.Concealed), res.Concealed))
	}
	return run, nil
}

// stitchRungs joins every rung's chunks in plan order (I/O queue) and
// collects the audio renditions.
func stitchRungs(ctx workflow.Context, req TitleRequest, specs []media.RungSpec, run *chunkRun, res *chunkedResult) error {
	stitchCtx := activityCtx(ctx, QueueIO, 6*time.Hour, heartbeatTimeout)
	futures := make([]workflow.Future, len(specs))
	for r, spec := range specs {
		paths := make([]string, len(run.outs))
		for c, o := range run.outs {
			for _, cr := range o.Rungs {
				if cr.ID == spec.ID {
					paths[c] = cr.Path
				}
			}
			if paths[c] == "" {
				return fmt.Errorf("chunk %d has no output for rung %s", c, spec.ID)
			}
		}
		in := StitchRungInput{Rung: spec, Chunks: paths, Out: req.Out}
		if r < len(run.sizeChanges) {
			in.SizeChanges = run.sizeChanges[r]
		}
		futures[r] = workflow.ExecuteActivity(stitchCtx, ActivityStitchRung, in)
	}
	res.Rungs = make([]media.RungOutput, len(specs))
	for r, f := range futures {
		if err := f.Get(ctx, &res.Rungs[r]); err != nil {
			return err
		}
		// Each chunk encoded all rungs at once: a rung's encode time is
		// the chunks' total.
		res.Rungs[r].EncodeSeconds = run.encodeSeconds
	}
	noAudio := false
	for _, f := range run.audio {
		var a AudioOutput
		err := f.Get(ctx, &a)
		var app *temporal.ApplicationError
		switch {
		case err == nil:
			res.Audio = append(res.Audio, a)
		case errors.As(err, &app) && app.Type() == ErrTypeNoAudio:
			noAudio = true
		default:
			return err
		}
	}
	if noAudio {
		res.Warnings = append(res.Warnings, "the source has no audio stream: no audio renditions")
	}
	return nil
}
