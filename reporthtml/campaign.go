package reporthtml

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io"
	"math"
	"strings"

	"github.com/reel-video/reel/campaign"
	"github.com/reel-video/reel/webasset"
)

// CampaignFileName is the campaign page's name beside campaign.json.
const CampaignFileName = "campaign.html"

// CampaignOptions tune WriteCampaign. The zero value is the default.
type CampaignOptions struct {
	// Summary tunes the totals (worst titles listed, histogram bins).
	Summary campaign.SummaryOptions
}

//go:embed campaign.tmpl campaign.js
var campaignAssets embed.FS

var campaignTmpl = template.Must(template.New("campaign.tmpl").Funcs(template.FuncMap{
	"bytes":     humanBytes,
	"pct":       func(v float64) string { return fmt.Sprintf("%+.1f%%", v) },
	"fracPct":   fracPercent,
	"signedPtr": signedPtr,
	"vmaf":      func(v float64) string { return formatVMAF(v) },
	"saved":     savedBytes,
	// "in_flight" → "in flight".
	"stateLabel": func(s string) string { return strings.ReplaceAll(s, "_", " ") },
}).ParseFS(campaignAssets, "campaign.tmpl"))

// campaignView is what campaign.tmpl renders.
type campaignView struct {
	Report   campaign.Report
	Summary  campaign.Summary
	States   []stateCount
	Data     campaignData
	CSS      template.CSS
	Scripts  []template.JS
	Licenses []license
}

type stateCount struct {
	State string
	N     int
}

// campaignData is the JSON the page's script reads (id "reel-data"): the
// histogram it draws.
type campaignData struct {
	Kind      string         `json:"kind"`
	Histogram []campaign.Bin `json:"histogram"`
	// N is the number of titles with a BD-rate.
	N int `json:"n"`
}

// WriteCampaign renders campaign.html: the campaign's totals (titles by
// state, storage old vs new, mean and median BD-rate, the worst titles,
// failures by error type), a histogram of per-title BD-rate (uPlot) and a
// row per title. The totals are computed from rep.Titles
// (campaign.Summarize); rep.Summary is not read. Like the other pages it
// is self-contained and shows every value as text.
func WriteCampaign(w io.Writer, rep campaign.Report, opts CampaignOptions) error {
	s := campaign.Summarize(rep.Titles, opts.Summary)
	v := &campaignView{Report: rep, Summary: s, Data: campaignData{Kind: "campaign", Histogram: s.Histogram, N: s.BDRate.N}}
	for _, st := range campaign.States {
		v.States = append(v.States, stateCount{st, s.ByState[st]})
	}
	css, err := assets.ReadFile("style.css")
	if err != nil {
		return err
	}
	ucss, err := webasset.ReadFile(webasset.UPlotCSS)
	if err != nil {
		return fmt.Errorf("reporthtml: %w", err)
	}
	v.CSS = template.CSS(string(ucss) + "\n" + string(css))
	lib, err := webasset.ReadFile(webasset.UPlot)
	if err != nil {
		return fmt.Errorf("reporthtml: %w", err)
	}
	if err := inlineSafe(webasset.UPlot, lib); err != nil {
		return err
	}
	v.Scripts = append(v.Scripts, template.JS(lib))
	for _, l := range webasset.Licenses(webasset.UPlot) {
		text, err := webasset.ReadFile(l)
		if err != nil {
			return fmt.Errorf("reporthtml: %w", err)
		}
		v.Licenses = append(v.Licenses, license{Name: l, Text: string(text)})
	}
	for _, name := range []string{"common.js"} {
		b, err := assets.ReadFile(name)
		if err != nil {
			return err
		}
		v.Scripts = append(v.Scripts, template.JS(b))
	}
	own, err := campaignAssets.ReadFile("campaign.js")
	if err != nil {
		return err
	}
	v.Scripts = append(v.Scripts, template.JS(own))
	var buf bytes.Buffer
	if err := campaignTmpl.Execute(&buf, v); err != nil {
		return fmt.Errorf("reporthtml: %w", err)
	}
	_, err = w.Write(buf.Bytes())
	return err
}

// humanBytes writes a byte count in binary units: "1.5 GiB".
func humanBytes(n int64) string {
	if n == 0 {
		return "0 B"
	}
	neg := n < 0
	f := math.Abs(float64(n))
	units := []string{"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}
	i := 0
	for f >= 1024 && i < len(units)-1 {
		f /= 1024
		i++
	}
	s := fmt.Sprintf("%.1f %s", f, units[i])
	if i == 0 {
		s = fmt.Sprintf("%d B", int64(f))
	}
	if neg {
		s = "−" + s
	}
	return s
}

// fracPercent writes a BD-rate fraction as a signed percentage, "–" when
// unknown.
func fracPercent(f *float64) string {
	if f == nil || math.IsNaN(*f) || math.IsInf(*f, 0) {
		return "–"
	}
	return fmt.Sprintf("%+.1f%%", *f*100)
}

func signedPtr(f *float64) string {
	if f == nil || math.IsNaN(*f) || math.IsInf(*f, 0) {
		return "–"
	}
	return fmt.Sprintf("%+.2f", *f)
}

func formatVMAF(v float64) string {
	if v == 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return "–"
	}
	return fmt.Sprintf("%.2f", v)
}

// savedBytes is a row's bytes saved, "–" when unknown.
func savedBytes(r campaign.Row) string {
	n, ok := r.BytesSaved()
	if !ok {
		return "–"
	}
	return humanBytes(n)
}
