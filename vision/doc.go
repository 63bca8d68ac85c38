// Package vision runs computer-vision and signal QC checks over decoded
// frames and audio: black and frozen stretches, letterbox/pillarbox borders,
// shot cuts and fades, interlacing, out-of-range levels, blockiness and blur,
// colour bars and slates at the head and tail, loudness (EBU R128 / ITU-R
// BS.1770-4) and silence.
//
// Each check is modelled on the tool QC reviewers already trust — an ffmpeg
// filter (blackdetect, freezedetect, cropdetect, scdet, idet, signalstats,
// blockdetect, blurdetect, ebur128, silencedetect) or PySceneDetect's
// detectors — and the package's agreement tests run both on the same clips.
// Where reel deliberately differs, README.md in this directory says so.
//
// Use an Analyzer: push frames one at a time (Push copies each frame once
// into a pooled, reference-counted buffer; the checks run in parallel
// goroutines, each up to a few frames behind, and keep references to the
// few earlier frames they compare with), optionally feed an AudioSource,
// then Finish to get a Report. Memory is bounded by a handful of frames
// plus a few numbers per frame for the per-frame series.
package vision
