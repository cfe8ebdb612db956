//go:build race

package connector_test

// raceEnabled: the race detector slows the 30,000-product crash test down
// several times over; it then runs with fewer products.
const raceEnabled = true
