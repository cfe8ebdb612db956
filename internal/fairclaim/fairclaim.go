// Package fairclaim picks the inbox events a claim takes, fairly per shop:
// round-robin over the shops with due events (every shop's oldest due
// event, then every shop's second, and so on), so that one shop's burst
// does not hold the other shops' events back. The in-memory inbox orders
// all its due events with Order; the SQL stores read each
// shop's oldest due events through an index on (shop, due, seq) and hand
// them to Pick, which asks for more per shop only when the claim is not
// filled yet: a claim reads about what it takes plus one event per shop,
// whatever the backlog.
package fairclaim

import (
	"cmp"
	"slices"
)

// Candidate is a due event as a store read it: its position (the store's
// insertion sequence), its shop and its due time in the store's units.
type Candidate struct {
	Seq  int64
	Shop string
	Due  int64
}

// Fetch returns the oldest (by due, then seq) at most perShop due events of
// every shop with due events, in any order.
type Fetch func(perShop int) ([]Candidate, error)

// Pick returns up to want events' positions in claim order: by turn (a
// shop's first due event is turn 0), then due time, then position. shops
// is the number of shops with pending events (an estimate is fine: it
// sizes the first read); fetch is called again with four times as many
// events per shop while the candidates do not fill want and some shop
// had more.
func Pick(want, shops int, fetch Fetch) ([]int64, error) {
	if want <= 0 || shops <= 0 {
		return nil, nil
	}
	per := max(1, (want+shops-1)/shops)
	for {
		cands, err := fetch(per)
		if err != nil {
			return nil, err
		}
		counts := map[string]int{}
		for _, c := range cands {
			counts[c.Shop]++
		}
		more := false
		for _, n := range counts {
			more = more || n >= per
		}
		if len(cands) >= want || !more || per >= want {
			return Order(cands, want), nil
		}
		per = min(want, per*4)
	}
}

// Order ranks cands round-robin over shops (by turn, then due time, then
// position) and returns the first want positions.
func Order(cands []Candidate, want int) []int64 {
	byAge := func(a, b Candidate) int { return cmp.Or(cmp.Compare(a.Due, b.Due), cmp.Compare(a.Seq, b.Seq)) }
	slices.SortFunc(cands, byAge)
	turn := make([]int, len(cands))
	seen := map[string]int{}
	for i, c := range cands {
		turn[i] = seen[c.Shop]
		seen[c.Shop]++
	}
	idx := make([]int, len(cands))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(turn[a], turn[b]) })
	out := make([]int64, 0, min(want, len(idx)))
	for _, i := range idx[:min(want, len(idx))] {
		out = append(out, cands[i].Seq)
	}
	return out
}
