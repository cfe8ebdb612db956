package console

import (
	"context"
	"fmt"
	"html/template"
	"strings"
	gosync "sync"
	"time"
)

// DefaultSampleInterval is how often the console samples each shop's API
// budget for its chart, unless Config.SampleInterval says otherwise.
const DefaultSampleInterval = 5 * time.Second

// budgetSamples is how many samples per shop the chart keeps.
const budgetSamples = 180

// budgetSample is a shop's API budget use at one moment.
type budgetSample struct {
	At   time.Time
	Used float64 // 0 to 1
}

// budgets keeps each shop's recent API budget samples.
type budgets struct {
	mu     gosync.Mutex
	byShop map[string][]budgetSample
}

func (b *budgets) add(shop string, s budgetSample) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.byShop == nil {
		b.byShop = map[string][]budgetSample{}
	}
	list := append(b.byShop[shop], s)
	if len(list) > budgetSamples {
		list = list[len(list)-budgetSamples:]
	}
	b.byShop[shop] = list
}

func (b *budgets) get(shop string) []budgetSample {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]budgetSample(nil), b.byShop[shop]...)
}

// sample records the API budget of every shop once.
func (c *Console) sample(ctx context.Context) {
	shops, err := c.eng.Shops(ctx)
	if err != nil {
		return
	}
	for _, s := range shops {
		h, err := c.eng.Health(ctx, s.Shop)
		if err != nil || h.Budget == nil {
			continue
		}
		c.budgets.add(s.Shop, budgetSample{At: c.now(), Used: h.Budget.Used()})
	}
}

// runSampler samples every interval until ctx ends.
func (c *Console) runSampler(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		c.sample(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// budgetChart draws samples as an inline SVG line chart of the budget in
// use (0-100%) over time, with a text summary for those who do not see it.
type budgetChart struct {
	SVG     template.HTML
	Summary string
}

// chart dimensions, in SVG user units.
const (
	chartW, chartH = 600.0, 140.0
	chartL, chartR = 40.0, 10.0 // margins for the axis labels
	chartT, chartB = 10.0, 22.0
	chartID        = "budget-chart"
)

func drawBudget(samples []budgetSample, now time.Time) budgetChart {
	if len(samples) == 0 {
		return budgetChart{}
	}
	first := samples[0].At
	// The x axis ends now and spans the samples, a minute at least.
	span := max(now.Sub(first), time.Minute)
	start := now.Add(-span)
	x := func(t time.Time) float64 {
		return chartL + (chartW-chartL-chartR)*float64(t.Sub(start))/float64(span)
	}
	y := func(used float64) float64 { return chartT + (chartH-chartT-chartB)*(1-used) }
	var pts strings.Builder
	peak, sum := 0.0, 0.0
	for i, s := range samples {
		if i > 0 {
			pts.WriteByte(' ')
		}
		fmt.Fprintf(&pts, "%.1f,%.1f", x(s.At), y(s.Used))
		peak = max(peak, s.Used)
		sum += s.Used
	}
	last := samples[len(samples)-1]
	summary := fmt.Sprintf("API budget in use: %.0f%% now, %.0f%% at the peak and %.0f%% on average over the last %s (%d samples).",
		last.Used*100, peak*100, sum/float64(len(samples))*100, formatAge(now.Sub(first)), len(samples))
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %.0f %.0f" role="img" aria-labelledby="%s-title %s-desc" id="%s">`,
		chartW, chartH, chartID, chartID, chartID)
	fmt.Fprintf(&b, `<title id="%s-title">API budget in use over time</title><desc id="%s-desc">%s</desc>`,
		chartID, chartID, template.HTMLEscapeString(summary))
	for _, pct := range []float64{0, 0.5, 1} {
		fmt.Fprintf(&b, `<line class="grid" x1="%.0f" x2="%.0f" y1="%.1f" y2="%.1f"/>`, chartL, chartW-chartR, y(pct), y(pct))
		fmt.Fprintf(&b, `<text class="axis" x="%.0f" y="%.1f" text-anchor="end">%.0f%%</text>`, chartL-4, y(pct)+4, pct*100)
	}
	fmt.Fprintf(&b, `<text class="axis" x="%.0f" y="%.0f">%s ago</text>`, chartL, chartH-4, formatAge(span))
	fmt.Fprintf(&b, `<text class="axis" x="%.0f" y="%.0f" text-anchor="end">now</text>`, chartW-chartR, chartH-4)
	if len(samples) == 1 {
		fmt.Fprintf(&b, `<circle class="line" cx="%.1f" cy="%.1f" r="3"/>`, x(last.At), y(last.Used))
	} else {
		fmt.Fprintf(&b, `<polyline class="line" points="%s"/>`, pts.String())
	}
	b.WriteString(`</svg>`)
	// Every value written above is a number or escaped text.
	return budgetChart{SVG: template.HTML(b.String()), Summary: summary}
}
