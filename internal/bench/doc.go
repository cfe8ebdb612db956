// Package bench holds the project's end-to-end benchmarks: measurements of
// the library against the physical limits Shopify sets (the rate-limit
// bucket) and against the cheapest possible baseline (a bare JSON decode).
// It has no code of its own; everything is in its _test.go files, and each
// benchmark's command and last result are recorded in BENCHMARKS.md at the
// repository root.
package bench
