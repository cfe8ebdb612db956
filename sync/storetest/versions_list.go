package storetest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/webhook"
)

// runListVersions checks the [wmssync.VersionLister] capability; stores
// without it skip these subtests.
func runListVersions(t *testing.T, newStore func(t *testing.T) wmssync.Store) {
	runCapability(t, newStore, "sync.VersionLister", []capabilityTest[wmssync.VersionLister]{
		{"PagesInIDOrder", testListPages},
	})
}

// testListPages: ListVersions returns the versions of one shop and kind
// only, with their times and revisions, in ascending byte order of the id
// (upper case before lower case, "a10" before "a9"), page by page after
// the last id of the previous page, including a zero version.
func testListPages(t *testing.T, s wmssync.Store, l wmssync.VersionLister) {
	const kind = "order-gone"
	want := map[string]webhook.Version{}
	for i := range 23 {
		id := fmt.Sprintf("a%d", i)
		if i%5 == 0 {
			id = fmt.Sprintf("B%d", i)
		}
		v := webhook.Version{UpdatedAt: t0.Add(time.Duration(i) * time.Hour), TriggeredAt: t0.Add(time.Duration(i) * time.Minute)}
		if i == 7 {
			v = webhook.Version{} // a cleared mark
		}
		k := wmssync.EntityKey{Shop: "a", Kind: kind, ID: id}
		setVersion(t, s, k, webhook.Version{TriggeredAt: t0})
		setVersion(t, s, k, v) // revision 2
		want[id] = v
	}
	// Other shops and kinds, and a shop whose name extends "a".
	setVersion(t, s, wmssync.EntityKey{Shop: "b", Kind: kind, ID: "a1"}, webhook.Version{UpdatedAt: t0})
	setVersion(t, s, wmssync.EntityKey{Shop: "ab", Kind: kind, ID: "a1"}, webhook.Version{UpdatedAt: t0})
	setVersion(t, s, wmssync.EntityKey{Shop: "a", Kind: wmssync.KindOrder, ID: "a1"}, webhook.Version{UpdatedAt: t0})

	var got []wmssync.ListedVersion
	after := ""
	for range 10 {
		page, err := l.ListVersions(ctx, "a", kind, after, 5)
		check(t, err, "ListVersions")
		if len(page) > 5 {
			t.Fatalf("ListVersions(limit 5) returned %d", len(page))
		}
		got = append(got, page...)
		if len(page) < 5 {
			break
		}
		after = page[len(page)-1].ID
	}
	ids := make([]string, len(got))
	for i, g := range got {
		ids[i] = g.ID
		w, ok := want[g.ID]
		if !ok {
			t.Fatalf("ListVersions returned %q, not a version of the shop and kind", g.ID)
		}
		if !g.Version.UpdatedAt.Equal(w.UpdatedAt) || !g.Version.TriggeredAt.Equal(w.TriggeredAt) || g.Rev != 2 {
			t.Errorf("%s: got %+v rev %d, want %+v rev 2", g.ID, g.Version, g.Rev, w)
		}
	}
	wantIDs := make([]string, 0, len(want))
	for id := range want {
		wantIDs = append(wantIDs, id)
	}
	slices.Sort(wantIDs) // Go compares strings bytewise
	if !slices.Equal(ids, wantIDs) {
		t.Fatalf("ListVersions pages = %v, want %v", ids, wantIDs)
	}
	if page, err := l.ListVersions(ctx, "a", kind, "", 0); err != nil || len(page) != 0 {
		t.Fatalf("limit 0: %v, %v", page, err)
	}
	if page, err := l.ListVersions(ctx, "nobody", kind, "", 10); err != nil || len(page) != 0 {
		t.Fatalf("unknown shop: %v, %v", page, err)
	}
}
