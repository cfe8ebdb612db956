package sync

import (
	"fmt"
	"time"
)

// Step is one setup step of a shop, in the seed's order (see [Steps]).
type Step string

// The setup steps, in the order they run.
const (
	// StepProducts registers the product webhooks and imports every
	// product with its variants and per-location stock.
	StepProducts Step = "products"
	// StepCustomsCost imports customs information and unit costs.
	// Skippable; skipped by itself when the connector or the backend
	// cannot do it.
	StepCustomsCost Step = "customs_cost"
	// StepOrders registers the order webhooks and starts the order flow
	// and its reconciliation sweep. Orders created before the step
	// started (allowing ClockSkew) are not imported.
	StepOrders Step = "orders"
	// StepSalesHistory imports the quantity sold per SKU and day since
	// Settings.SalesHistorySince. Skippable; skipped by itself when
	// the date is today or later or the backend keeps no sales.
	StepSalesHistory Step = "sales_history"
	// StepOutbound switches the outbound messages on: once it is
	// done, the outbox sends the shop the published events it chose.
	StepOutbound Step = "outbound"
)

// Steps returns the setup steps in the order they run.
func Steps() []Step {
	return []Step{StepProducts, StepCustomsCost, StepOrders, StepSalesHistory, StepOutbound}
}

func (s Step) index() int {
	for i, x := range Steps() {
		if x == s {
			return i
		}
	}
	return -1
}

// Valid reports whether s is one of the steps.
func (s Step) Valid() bool { return s.index() >= 0 }

// Skippable reports whether the merchant may skip s.
func (s Step) Skippable() bool { return s == StepCustomsCost || s == StepSalesHistory }

// StepStatus is the state of a setup step.
type StepStatus string

// The step statuses. A step moves pending → running → done (or skipped);
// a step that fails is failed and runs again, from its checkpoint, when
// started again. A step left running by a crash resumes from its
// checkpoint.
const (
	StepPending StepStatus = "pending"
	StepRunning StepStatus = "running"
	StepDone    StepStatus = "done"
	StepSkipped StepStatus = "skipped"
	StepFailed  StepStatus = "failed"
)

// Finished reports whether the status is done or skipped.
func (s StepStatus) Finished() bool { return s == StepDone || s == StepSkipped }

// StepState is the persisted state of one setup step of one shop.
type StepState struct {
	Shop   string     `json:"shop"`
	Step   Step       `json:"step"`
	Status StepStatus `json:"status"`
	// Checkpoint is the engine's opaque resume point (a listing cursor and
	// the step's phase); "" at the start.
	Checkpoint string `json:"checkpoint,omitempty"`
	// Done and Total count the step's work (products, orders, days ...);
	// Total is -1 when unknown.
	Done  int64 `json:"done"`
	Total int64 `json:"total"`
	// Error is the last failure, for a failed step; Note explains a skip.
	Error string `json:"error,omitempty"`
	Note  string `json:"note,omitempty"`
	// StartedAt is when the step's current run first started (a run
	// resumed after a failure or a restart keeps it; running a finished
	// step again starts a new run, except for the orders step, which keeps
	// the moment the order flow opened). UpdatedAt is when its state was
	// last saved, FinishedAt when it finished (zero until then).
	StartedAt  time.Time `json:"started_at,omitzero"`
	UpdatedAt  time.Time `json:"updated_at,omitzero"`
	FinishedAt time.Time `json:"finished_at,omitzero"`
}

// Progress is a progress event of a running setup step, emitted after every
// page of work (and once when the step ends), for a UI or a terminal bar.
type Progress struct {
	Shop string `json:"shop"`
	Step Step   `json:"step"`
	// Phase names the part of the step running, such as "webhooks" or
	// "import".
	Phase string `json:"phase,omitempty"`
	// Done counts work finished so far, resumed work included; Total is
	// the whole, -1 when unknown.
	Done  int64 `json:"done"`
	Total int64 `json:"total"`
	// Rate is the work done per second in this run (0 until measurable).
	Rate float64 `json:"rate"`
	// ETA is the estimated time left; -1 when unknown.
	ETA time.Duration `json:"eta"`
	// Elapsed is the time since this run of the step started.
	Elapsed time.Duration `json:"elapsed"`
	// Finished is set on the last event of a run, with Status.
	Finished bool       `json:"finished,omitempty"`
	Status   StepStatus `json:"status,omitempty"`
}

// Percent returns Done as a percentage of Total, or -1 when Total is
// unknown.
func (p Progress) Percent() float64 {
	if p.Total <= 0 {
		if p.Total == 0 && p.Finished {
			return 100
		}
		return -1
	}
	return min(100, float64(p.Done)*100/float64(p.Total))
}

// String renders p as one line for a terminal, such as
// "MyShopDK products import 12000/30000 (40.0%) 850/s ETA 21s".
func (p Progress) String() string {
	s := fmt.Sprintf("%s %s", p.Shop, p.Step)
	if p.Phase != "" {
		s += " " + p.Phase
	}
	if p.Total >= 0 {
		s += fmt.Sprintf(" %d/%d", p.Done, p.Total)
		if pct := p.Percent(); pct >= 0 {
			s += fmt.Sprintf(" (%.1f%%)", pct)
		}
	} else {
		s += fmt.Sprintf(" %d", p.Done)
	}
	if p.Rate > 0 {
		s += fmt.Sprintf(" %.0f/s", p.Rate)
	}
	if p.ETA >= 0 && !p.Finished {
		s += " ETA " + p.ETA.Round(time.Second).String()
	}
	if p.Finished {
		s += " " + string(p.Status)
	}
	return s
}
