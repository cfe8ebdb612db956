package webhook

import "time"

// Version is the version of an entity's state as carried by one delivery:
// the payload's updated-at time and the delivery's trigger time
// (Event.TriggeredAt). Shop systems retry with the original payload, out of
// order and up to a day late, so before applying a payload compare its
// Version with the Version of the state you applied last, and drop it
// unless it Supersedes that.
//
// Store the Version you applied next to the entity (both times). Version is
// a plain value; its methods are pure and safe for concurrent use.
type Version struct {
	// UpdatedAt is the payload's updated-at time (zero if the payload has
	// none, such as a deletion carrying only an id). Shop systems often
	// give it in whole seconds only.
	UpdatedAt time.Time
	// TriggeredAt is the delivery's Event.TriggeredAt (zero if unknown).
	TriggeredAt time.Time
}

// VersionOf returns the Version of a delivery whose payload has the given
// updated_at (pass the zero time if it has none).
func VersionOf(e *Event, updatedAt time.Time) Version {
	return Version{UpdatedAt: updatedAt, TriggeredAt: e.TriggeredAt}
}

// IsZero reports whether v carries no time at all.
func (v Version) IsZero() bool { return v.UpdatedAt.IsZero() && v.TriggeredAt.IsZero() }

// Compare orders v against o. It compares UpdatedAt when both have one and
// they differ; otherwise TriggeredAt when both have one. It returns -1, 0 or
// +1 and ok=true, or ok=false when the two share no time to compare (for
// example one has only UpdatedAt and the other only TriggeredAt: clocks of
// different meaning are never compared with each other).
func (v Version) Compare(o Version) (c int, ok bool) {
	bothUpdated := !v.UpdatedAt.IsZero() && !o.UpdatedAt.IsZero()
	bothTriggered := !v.TriggeredAt.IsZero() && !o.TriggeredAt.IsZero()
	if bothUpdated {
		if c := v.UpdatedAt.Compare(o.UpdatedAt); c != 0 || !bothTriggered {
			return c, true
		}
	}
	if bothTriggered {
		return v.TriggeredAt.Compare(o.TriggeredAt), true
	}
	return 0, false
}

// Supersedes reports whether a delivery with Version v should overwrite
// state last applied at Version applied: true if nothing was applied yet
// (applied is zero), if v is strictly newer, or if the two cannot be
// compared (applying is then the only safe default; reconcile later). It is
// false for an older delivery and for the same version again (a redelivery:
// applying it would change nothing).
func (v Version) Supersedes(applied Version) bool {
	if applied.IsZero() {
		return true
	}
	c, ok := v.Compare(applied)
	return !ok || c > 0
}

// Stale reports whether a delivery with Version v is older than the state
// applied at Version applied, and must therefore be dropped. Unlike
// !Supersedes it is false for an equal version.
func (v Version) Stale(applied Version) bool {
	c, ok := v.Compare(applied)
	return ok && c < 0
}
