package registers

import (
	"encoding/csv"
	"io"
	"strings"
	"time"
)

// The CSV exports: one row per entry, the JSON field names as headers,
// list items joined by " | ", times in RFC 3339 (UTC). They carry the
// public view only.

var processingColumns = []string{"id", "name", "controller", "dpo", "joint_controller", "purposes", "legal_basis",
	"data_subjects", "data_categories", "sensitive", "retention", "recipients", "transfers", "security",
	"datasets", "device_domains", "software", "created", "updated"}

var algorithmColumns = []string{"id", "name", "service", "contact", "purpose", "decision", "automation", "legal_basis",
	"data", "method", "operations", "human_oversight", "scope", "source_url", "platform_function", "updated"}

// WriteProcessingCSV writes the public view of ps as CSV.
func WriteProcessingCSV(w io.Writer, ps []*Processing) error {
	cw := csv.NewWriter(w)
	_ = cw.Write(processingColumns)
	for _, p := range ps {
		_ = cw.Write([]string{p.ID, p.Name, p.Controller, p.DPO, p.JointController, join(p.Purposes), p.LegalBasis,
			join(p.DataSubjects), join(p.DataCategories), join(p.Sensitive), p.Retention, join(p.Recipients), p.Transfers,
			join(p.Security), join(p.Datasets), join(p.DeviceDomains), p.Software, stamp(p.Created), stamp(p.Updated)})
	}
	cw.Flush()
	return cw.Error()
}

// WriteAlgorithmCSV writes the public view of as as CSV.
func WriteAlgorithmCSV(w io.Writer, as []*Algorithm) error {
	cw := csv.NewWriter(w)
	_ = cw.Write(algorithmColumns)
	for _, a := range as {
		platform := "non"
		if a.PlatformFunction {
			platform = "oui"
		}
		_ = cw.Write([]string{a.ID, a.Name, a.Service, a.Contact, a.Purpose, a.DecisionStep, a.Automation, a.LegalBasis,
			join(a.Data), a.Method, a.Operations, a.HumanOversight, a.Scope, a.SourceURL, platform, stamp(a.Updated)})
	}
	cw.Flush()
	return cw.Error()
}

func join(l []string) string { return strings.Join(l, " | ") }

func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
