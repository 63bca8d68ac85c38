// Package webasset holds the web libraries reel ships, vendored from npm
// at exact versions with their licenses (see README.md): hls.js, which
// plays a title's package in report.html and the reviewers' UI; Shaka
// Player, which the playback tests use for DASH; and uPlot, which draws
// the report's plots. Nothing is fetched from a CDN: pages embed these
// files or are served them by reel.
package webasset

import (
	"embed"
	"io/fs"
)

//go:embed vendor
var vendor embed.FS

// The vendored files, as paths in FS.
const (
	HLSjs    = "hls.js/hls.min.js"                     // hls.js 1.7.4
	Shaka    = "shaka-player/shaka-player.compiled.js" // Shaka Player 5.2.12
	UPlot    = "uplot/uPlot.iife.min.js"               // uPlot 1.6.32 (global uPlot)
	UPlotCSS = "uplot/uPlot.min.css"
)

// Licenses returns the license files kept beside a vendored library in
// FS (name is one of the constants above); a page that embeds a library
// carries its license text too.
func Licenses(name string) []string {
	switch name {
	case HLSjs:
		return []string{"hls.js/LICENSE"}
	case Shaka:
		return []string{"shaka-player/LICENSE", "shaka-player/third_party/SUMMARY.txt",
			"shaka-player/third_party/cml-cmcd/LICENSE", "shaka-player/third_party/language-mapping-list/LICENSE"}
	case UPlot, UPlotCSS:
		return []string{"uplot/LICENSE"}
	}
	return nil
}

// FS returns the vendored files, rooted at vendor/.
func FS() fs.FS {
	sub, err := fs.Sub(vendor, "vendor")
	if err != nil {
		panic(err) // vendor is embedded: cannot fail
	}
	return sub
}

// ReadFile returns one vendored file (a path in FS, e.g. UPlot).
func ReadFile(name string) ([]byte, error) { return fs.ReadFile(FS(), name) }
