package browsertest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// Helpers for any page, not only the player pages: clicks, keys,
// full-page screenshots, the requests the page made (to check that it
// works offline) and the dialogs it tried to open (to check that nothing
// injected runs: an XSS payload's alert is recorded and dismissed).

// watch subscribes, before the page loads, to the tab's requests and
// JavaScript dialogs; dialogs are dismissed so that the page never blocks.
func (p *Player) watch() error {
	return p.do(10*time.Second, func(_ context.Context, t *chromedp.Target) (chromedp.Void, error) {
		go func() {
			for ev, err := range cdp.Events(p.ctx, t, network.RequestWillBeSent) {
				if err != nil {
					return
				}
				if ev.Request != nil {
					p.mu.Lock()
					p.requests = append(p.requests, ev.Request.URL)
					p.mu.Unlock()
				}
			}
		}()
		go func() {
			for ev, err := range cdp.Events(p.ctx, t, page.JavascriptDialogOpening) {
				if err != nil {
					return
				}
				p.mu.Lock()
				p.dialogs = append(p.dialogs, fmt.Sprintf("%s: %s", ev.Type, ev.Message))
				p.mu.Unlock()
				p.logf("dialog %s: %s (dismissed)", ev.Type, ev.Message)
				ctx, cancel := context.WithTimeout(p.ctx, 5*time.Second)
				_, _ = cdp.Call(ctx, t, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
				cancel()
			}
		}()
		return chromedp.Void{}, nil
	})
}

// Requests returns the URLs the page has requested so far (documents,
// scripts, images, fetches, media segments), in order.
func (p *Player) Requests() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.requests...)
}

// Dialogs returns the JavaScript dialogs (alert, confirm, prompt) the page
// opened so far, as "type: message"; each was dismissed.
func (p *Player) Dialogs() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.dialogs...)
}

// Navigate loads url in the tab and waits for its load event.
func (p *Player) Navigate(url string) {
	p.tb.Helper()
	if err := p.do(15*time.Second, chromedp.Navigate(url)); err != nil {
		p.tb.Fatalf("navigate %s: %v\nconsole:\n%s", url, err, strings.Join(p.Console(), "\n"))
	}
}

// Click clicks the first element matching the CSS selector, waiting up to
// 10 s for it to be visible. A click goes to the element's centre on the
// screen, so it first waits (up to 5 s) for the element to stop moving:
// images loading or a video learning its size above it shift the layout.
func (p *Player) Click(css string) {
	p.tb.Helper()
	p.settle(css, 5*time.Second)
	if err := p.do(10*time.Second, chromedp.Click(chromedp.CSS(css))); err != nil {
		p.tb.Fatalf("click %s: %v\nconsole:\n%s", css, err, strings.Join(p.Console(), "\n"))
	}
}

// Type focuses the first element matching the CSS selector and types text
// into it.
func (p *Player) Type(css, text string) {
	p.tb.Helper()
	if err := p.do(10*time.Second, chromedp.SendKeys(chromedp.CSS(css), text)); err != nil {
		p.tb.Fatalf("type into %s: %v", css, err)
	}
}

// Press sends key presses to the focused element: text, or keys from
// package kb such as Tab, Enter, ArrowDown ("\t" and "\r" work too).
func (p *Player) Press(keys string) {
	p.tb.Helper()
	if err := p.do(10*time.Second, chromedp.KeyEvent(keys)); err != nil {
		p.tb.Fatalf("press %q: %v", keys, err)
	}
}

// Keys that Press takes.
const (
	KeyTab   = kb.Tab
	KeyEnter = kb.Enter
	KeyEsc   = kb.Escape
	KeyDown  = kb.ArrowDown
	KeyUp    = kb.ArrowUp
)

// WaitTrue evaluates the JavaScript expression js every 50 ms until it is
// true, failing the test with the console after timeout.
func (p *Player) WaitTrue(what, js string, timeout time.Duration) {
	p.tb.Helper()
	deadline := time.Now().Add(timeout)
	for {
		var ok bool
		err := p.eval(`Boolean(`+js+`)`, &ok)
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			p.tb.Fatalf("waiting for %s (%s): not after %v (last error %v)\nconsole:\n%s", what, js, timeout, err, strings.Join(p.Console(), "\n"))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// FullScreenshot writes a PNG of the whole page (beyond the viewport) to
// path.
func (p *Player) FullScreenshot(path string) error {
	ctx, cancel := context.WithTimeout(p.ctx, 20*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		return fmt.Errorf("screenshot: %w", err)
	}
	return os.WriteFile(path, png, 0o644)
}

// settle waits until the element matching css is at the same place in two
// looks 100 ms apart, or timeout passes (then the click goes ahead).
func (p *Player) settle(css string, timeout time.Duration) {
	sel, _ := json.Marshal(css)
	js := `(() => { const e = document.querySelector(` + string(sel) + `); if (!e) return "";
		const r = e.getBoundingClientRect(); return [r.x, r.y, r.width, r.height, window.scrollY].join(","); })()`
	last := ""
	for deadline := time.Now().Add(timeout); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		var at string
		if err := p.eval(js, &at); err != nil {
			return
		}
		if at != "" && at == last {
			return
		}
		last = at
	}
}
