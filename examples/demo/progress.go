package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
)

// progressView draws the engine's progress events of the setup steps: a
// terminal progress bar for each import (products, customs and costs,
// sales history) when the output is a terminal, otherwise a line at the
// start, about every two seconds and at the end of each phase (logs and CI
// stay readable). Phases without a bar print lines either way.
type progressView struct {
	out   io.Writer
	bars  bool
	key   string
	bar   *progressbar.ProgressBar
	last  time.Time
	every time.Duration
}

func newProgressView(out io.Writer, mode string) *progressView {
	bars := mode == "on"
	if mode == "auto" {
		if f, ok := out.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
			bars = true
		}
	}
	return &progressView{out: out, bars: bars, every: 2 * time.Second}
}

// show takes one progress event; it is the progress callback of
// Engine.RunSetup.
func (v *progressView) show(p wmssync.Progress) {
	key := p.Shop + "/" + string(p.Step) + "/" + p.Phase
	if key != v.key {
		v.finish()
		v.key = key
		v.last = time.Time{}
		if v.bars && p.Phase == "import" && p.Total > 0 {
			v.bar = progressbar.NewOptions64(p.Total,
				progressbar.OptionSetWriter(v.out),
				progressbar.OptionSetDescription(fmt.Sprintf("  %-10s %-13s %-8s", p.Shop, p.Step, p.Phase)),
				progressbar.OptionSetWidth(30),
				progressbar.OptionShowCount(),
				progressbar.OptionSetPredictTime(true),
				progressbar.OptionThrottle(100*time.Millisecond),
				progressbar.OptionSetRenderBlankState(true),
			)
		}
	}
	if v.bar != nil {
		if p.Total > 0 && p.Total != v.bar.GetMax64() {
			v.bar.ChangeMax64(p.Total)
		}
		_ = v.bar.Set64(p.Done)
	} else if now := time.Now(); p.Finished || now.Sub(v.last) >= v.every {
		v.last = now
		fmt.Fprintf(v.out, "  %s\n", p)
	}
	if p.Finished {
		hadBar := v.bar != nil
		if hadBar && p.Status != wmssync.StepDone {
			_ = v.bar.Exit() // stop where it is: a failed step does not reach 100%
			fmt.Fprintln(v.out)
			v.bar = nil
		}
		v.finish()
		if hadBar {
			fmt.Fprintf(v.out, "  %s\n", p)
		}
	}
}

// finish ends the current bar.
func (v *progressView) finish() {
	if v.bar != nil {
		_ = v.bar.Finish()
		fmt.Fprintln(v.out)
		v.bar = nil
	}
	v.key = ""
}
