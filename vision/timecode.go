package vision

// Timecode formats frame n of a stream at rateNum/rateDen frames a second
// as HH:MM:SS:FF, exactly as the QC events' timecodes are (non-drop-frame;
// see Event.StartTC), so that other reports of the same title (the worst
// moments of report.json) name frames the same way. A rate that is not
// positive formats at 25 fps, as audio events without a video stream do.
func Timecode(n, rateNum, rateDen int) string {
	if rateNum <= 0 || rateDen <= 0 {
		rateNum, rateDen = 25, 1
	}
	return clock{rateNum, rateDen}.timecode(n)
}
