package wms_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/wmsbridge/wmsbridge/wms"
)

func TestDate(t *testing.T) {
	t.Parallel()
	d, err := wms.ParseDate("2024-02-28")
	if err != nil {
		t.Fatal(err)
	}
	if d != (wms.Date{Year: 2024, Month: time.February, Day: 28}) || d.String() != "2024-02-28" {
		t.Fatalf("parsed %v", d)
	}
	if got := d.AddDays(1).String(); got != "2024-02-29" {
		t.Errorf("leap day: %s", got)
	}
	if got := d.AddDays(2).String(); got != "2024-03-01" {
		t.Errorf("next month: %s", got)
	}
	if got := d.AddDays(-365).String(); got != "2023-02-28" {
		t.Errorf("a year back: %s", got)
	}
	if !d.Before(d.AddDays(1)) || !d.After(d.AddDays(-1)) || d.Compare(d) != 0 {
		t.Error("ordering")
	}
	if (wms.Date{Year: 2023, Month: 2, Day: 29}).Valid() || (wms.Date{}).Valid() || !d.Valid() {
		t.Error("Valid")
	}
	for _, bad := range []string{"2024-2-28", "28-02-2024", "2024-02-30", ""} {
		if _, err := wms.ParseDate(bad); err == nil {
			t.Errorf("ParseDate(%q) accepted", bad)
		}
	}
	// The day is taken in the time's own location.
	cph, err := time.LoadLocation("Europe/Copenhagen")
	if err == nil {
		late := time.Date(2026, 1, 1, 23, 30, 0, 0, time.UTC)
		if got := wms.DateOf(late.In(cph)).String(); got != "2026-01-02" {
			t.Errorf("DateOf in Copenhagen = %s", got)
		}
	}
	var v struct{ D, Z wms.Date }
	v.D = d
	out, err := json.Marshal(v)
	if err != nil || string(out) != `{"D":"2024-02-28","Z":""}` {
		t.Fatalf("marshal: %s %v", out, err)
	}
	var back struct{ D, Z wms.Date }
	if err := json.Unmarshal(out, &back); err != nil || back != v {
		t.Fatalf("round trip: %+v %v", back, err)
	}
}
