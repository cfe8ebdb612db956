//go:build race

package shopify

// raceEnabled reports that tests run under the race detector.
const raceEnabled = true
