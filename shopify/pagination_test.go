package shopify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

func TestPaginateAgainstServer(t *testing.T) {
	t.Parallel()
	// Three pages of locations: 1-2, 3-4, 5.
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		g := decodeGQL(t, r)
		after, _ := g.Variables["after"].(string)
		if g.Variables["first"] != float64(2) {
			t.Errorf("first = %v", g.Variables["first"])
		}
		page := map[string]string{"": `[{"id":"gid://shopify/Location/1"},{"id":"gid://shopify/Location/2"}],"pageInfo":{"hasNextPage":true,"endCursor":"c2"}`,
			"c2": `[{"id":"gid://shopify/Location/3"},{"id":"gid://shopify/Location/4"}],"pageInfo":{"hasNextPage":true,"endCursor":"c4"}`,
			"c4": `[{"id":"gid://shopify/Location/5"}],"pageInfo":{"hasNextPage":false,"endCursor":null}`}[after]
		if page == "" {
			t.Errorf("unexpected cursor %q", after)
		}
		writeJSON(w, http.StatusOK, `{"data":{"locations":{"nodes":`+page+`}}}`)
	})
	type loc struct {
		ID string `json:"id"`
	}
	fetches := 0
	fetch := func(ctx context.Context, after string) (*Connection[loc], error) {
		fetches++
		vars := map[string]any{"first": 2}
		if after != "" {
			vars["after"] = after
		}
		var out struct {
			Locations Connection[loc] `json:"locations"`
		}
		if _, err := c.Do(ctx, &Request{Query: `query locations($first: Int!, $after: String) { locations(first: $first, after: $after) { nodes { id } pageInfo { hasNextPage endCursor } } }`, Variables: vars}, &out); err != nil {
			return nil, err
		}
		return &out.Locations, nil
	}
	var ids []int64
	for l, err := range Paginate(context.Background(), fetch) {
		if err != nil {
			t.Fatal(err)
		}
		id, err := LegacyID(l.ID, "Location")
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if fmt.Sprint(ids) != "[1 2 3 4 5]" || fetches != 3 {
		t.Fatalf("ids %v after %d fetches", ids, fetches)
	}
	// Breaking early stops fetching.
	fetches = 0
	for range Paginate(context.Background(), fetch) {
		break
	}
	if fetches != 1 {
		t.Fatalf("break after the first node fetched %d pages", fetches)
	}
}

func TestPaginateErrors(t *testing.T) {
	t.Parallel()
	boom := errors.New("boom")
	calls := 0
	var got []int
	var gotErr error
	for n, err := range Paginate(context.Background(), func(_ context.Context, after string) (*Connection[int], error) {
		calls++
		if after == "" {
			return &Connection[int]{Nodes: []int{1}, PageInfo: PageInfo{HasNextPage: true, EndCursor: "a"}}, nil
		}
		return nil, boom
	}) {
		if err != nil {
			gotErr = err
			continue
		}
		got = append(got, n)
	}
	if !errors.Is(gotErr, boom) || len(got) != 1 || calls != 2 {
		t.Fatalf("got %v, err %v, calls %d", got, gotErr, calls)
	}
	// A cursor that does not advance ends with an error instead of a loop.
	gotErr = nil
	calls = 0
	for _, err := range Paginate(context.Background(), func(context.Context, string) (*Connection[int], error) {
		calls++
		return &Connection[int]{Nodes: []int{1}, PageInfo: PageInfo{HasNextPage: true, EndCursor: "same"}}, nil
	}) {
		gotErr = err
	}
	if gotErr == nil || !strings.Contains(gotErr.Error(), "does not advance") || calls != 2 {
		t.Fatalf("err %v after %d calls", gotErr, calls)
	}
	// A done context stops before fetching.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, err := range Paginate(ctx, func(context.Context, string) (*Connection[int], error) {
		t.Fatal("fetched with a done context")
		return nil, nil
	}) {
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err %v", err)
		}
	}
}

func TestConnectionJSON(t *testing.T) {
	t.Parallel()
	var c Connection[string]
	if err := json.Unmarshal([]byte(`{"nodes":["a"],"pageInfo":{"hasNextPage":true,"endCursor":"x"}}`), &c); err != nil {
		t.Fatal(err)
	}
	if c.Nodes[0] != "a" || !c.PageInfo.HasNextPage || c.PageInfo.EndCursor != "x" {
		t.Fatalf("%+v", c)
	}
}

func TestPageSize(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ perNode, want int }{
		{0, 248}, {1, 248}, {2, 124}, {10, 24}, {52, 4}, {300, 1},
	} {
		if got := PageSize(tt.perNode); got != tt.want {
			t.Errorf("PageSize(%d) = %d, want %d", tt.perNode, got, tt.want)
		}
		if cost := 2 + PageSize(tt.perNode)*max(tt.perNode, 1); tt.perNode <= PageCostBudget && cost > PageCostBudget {
			t.Errorf("PageSize(%d) costs %d > budget", tt.perNode, cost)
		}
	}
}
