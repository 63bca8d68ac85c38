// Package vmaftest holds the helpers shared by the tests of package vmaf
// and of its feature extractors (vmaf/internal/{adm,motion,vif}): where the
// test data is, reading raw YUV and .y4m.xz clips, the golden-pair manifest
// and libvmaf's JSON logs, the Netflix test pairs, and the per-frame values
// recorded in testdata/vmaf.
//
// It is imported only by _test.go files. Two kinds of data are used:
//
//   - testdata/vmaf in this repository (see its README.md): always present;
//     tests on it never skip.
//   - the shared VMAF data, which is not redistributed with the repository:
//     the directory named by $REEL_SHARED, or else ../shared next to the
//     repository root, holding vmaf/golden (libvmaf's full-precision output
//     for a set of clip pairs) and vmaf/netflix (Netflix's test pairs from
//     vmaf_resource). Tests that need it call [SharedDir], [GoldenDir] or
//     [NetflixDir], which skip the test with a message naming the missing
//     path when it is absent.
//
// Every function takes a testing.TB and fails the test (t.Fatal) on an
// error, so callers need no error handling.
package vmaftest
