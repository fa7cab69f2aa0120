// Package compare sets two runs' summary.csv rows side by side and finds regressions: rows
// are matched on server × scenario × level, each chosen metric is compared in its own
// direction (req/s down, latency or memory up is worse), and with repeats on both sides a
// difference counts only when a Mann–Whitney U test finds it significant. Because absolute
// figures do not travel between machines, it also compares ratios measured within each run
// (each server against a reference server at the same scenario and level).
//
// Gate (gate.go) is CI's policy: each Go model's costs (CPU per request, req/s where the
// server was the limit, idle memory, hol's p99 in burns, open capacity) as ratios to the
// references of its design measured in the same run, aggregated over levels and repeats
// by the median of new/base over every pair of repeats, and held to limits written beside
// their measurement; points both runs planned and the new one did not measure fail it.
// Its limits hold for two measurements side by side: between machines the ratios of
// unchanged code moved up to 15 %, and between two runs minutes apart on one machine up
// to 21 %, so CI measures the baseline's revision's models in the same run as the code
// under test, alternating with them, and measures again what one run cannot decide
// (ScreenThreshold; scripts/gate.sh).
//
// Rate rows are matched by their step index within server × rate × repeat, not by the
// offered rate, since each server's offered rates are a share of its own capacity; a
// server whose step count differs between the runs leaves its rate rows unmatched.
//
// Concurrency model: none. Compare is a pure function of its arguments and a Report is
// immutable once built; both are safe to use from several goroutines.
package compare
