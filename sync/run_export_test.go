package sync

import "time"

// SetStoreBackoffForTest shortens the backoff of Run's loops while the
// store fails, and returns the function that restores it.
func SetStoreBackoffForTest(d, maxD time.Duration) (restore func()) {
	old, oldMax := storeBackoff, storeMaxBackoff
	storeBackoff, storeMaxBackoff = d, maxD
	return func() { storeBackoff, storeMaxBackoff = old, oldMax }
}
