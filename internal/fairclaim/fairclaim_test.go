package fairclaim

import (
	"fmt"
	"slices"
	"testing"
)

// Pick takes the shops round-robin, each oldest first, and reads more per
// shop only while the claim is not filled and some shop has more.
func TestPick(t *testing.T) {
	// Shop a has 6 due events, b 1, c none due (counted as a shop).
	queue := map[string][]Candidate{}
	seq := int64(0)
	for _, shop := range []string{"a", "a", "b", "a", "a", "a", "a"} {
		seq++
		queue[shop] = append(queue[shop], Candidate{Seq: seq, Shop: shop, Due: seq})
	}
	var reads []int
	fetch := func(per int) ([]Candidate, error) {
		reads = append(reads, per)
		var out []Candidate
		for _, q := range queue {
			out = append(out, q[:min(per, len(q))]...)
		}
		return out, nil
	}
	got, err := Pick(4, 3, fetch)
	if err != nil {
		t.Fatal(err)
	}
	// a1 (1), b1 (3), then a's second (2) and third (4).
	if fmt.Sprint(got) != "[1 3 2 4]" {
		t.Fatalf("Pick = %v, want [1 3 2 4]", got)
	}
	if !slices.Equal(reads, []int{2, 4}) {
		t.Fatalf("reads per shop = %v, want [2 4] (grow while short and a shop had more)", reads)
	}
	reads = nil
	got, _ = Pick(10, 3, fetch)
	if len(got) != 7 || !slices.Equal(reads, []int{4, 10}) {
		t.Fatalf("Pick(10) = %v after reads %v, want all 7 after [4 10]", got, reads)
	}
}
