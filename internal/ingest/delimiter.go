package ingest

// delimiterCandidates in order of preference when the evidence is tied.
var delimiterCandidates = []rune{',', ';', '\t', '|'}

// maxSniffRecords bounds the work of delimiter detection.
const maxSniffRecords = 200

// detectDelimiter picks the candidate whose count outside quotes is the same on
// the header and on most records: a ';' file whose free-text cells contain
// commas has a steady number of ';' per record and an erratic number of ','.
// truncated says that sample stops mid-file, so its last record is ignored.
func detectDelimiter(sample string, truncated bool) rune {
	counts := countOutsideQuotes(sample, truncated)
	if len(counts) == 0 {
		return ','
	}
	best, bestScore, bestWidth := ',', -1, 0
	for i, d := range delimiterCandidates {
		width := counts[0][i]
		if width == 0 {
			continue
		}
		score := 0
		for _, rec := range counts[1:] {
			if rec[i] == width {
				score++
			}
		}
		if score > bestScore || (score == bestScore && width > bestWidth) {
			best, bestScore, bestWidth = d, score, width
		}
	}
	return best
}

// countOutsideQuotes splits sample into records (newlines inside quotes do not
// end one) and counts each candidate delimiter per record. As in the reader, a
// quote opens a quoted cell only at the start of a cell, here after any
// candidate; elsewhere it is text (5" pouces). Inside quotes, a doubled quote
// is a quote and a single one closes the cell.
func countOutsideQuotes(sample string, truncated bool) [][4]int {
	var out [][4]int
	var cur [4]int
	inQuotes, afterQuote, cellStart, empty := false, false, true, true
	for _, r := range sample {
		if inQuotes {
			if r == '"' {
				inQuotes, afterQuote = false, true
			}
			continue
		}
		if afterQuote {
			afterQuote = false
			if r == '"' {
				inQuotes = true
				continue
			}
		}
		switch {
		case r == '"' && cellStart:
			inQuotes = true
		case r == '\n':
			if !empty {
				out = append(out, cur)
			}
			cur, empty, cellStart = [4]int{}, true, true
			if len(out) == maxSniffRecords {
				return out
			}
			continue
		case r == '\r':
			continue
		}
		empty, cellStart = false, false
		for i, d := range delimiterCandidates {
			if r == d {
				cur[i]++
				cellStart = true
			}
		}
	}
	if !empty && !truncated {
		out = append(out, cur)
	}
	return out
}
