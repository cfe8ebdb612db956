package shopify

// RaceEnabledForTest tells the external tests (package shopify_test)
// whether the race detector is on.
const RaceEnabledForTest = raceEnabled
