package web

import (
	"context"
	"net/http"
	"net/mail"
	"slices"
	"strings"

	"github.com/socle/socle/internal/auth"
	"github.com/socle/socle/internal/catalog"
)

// The metadata form, shared by the upload preview and the dataset page.

// The closed lists the form offers: EU data themes, licences, update
// frequencies (EU vocabulary codes) and access levels.
var (
	themeCodes  = []string{"AGRI", "ECON", "EDUC", "ENER", "ENVI", "GOVE", "HEAL", "INTR", "JUST", "REGI", "SOCI", "TECH", "TRAN"}
	licences    = []string{"etalab-2.0", "ODbL-1.0", "CC-BY-4.0", "CC0-1.0"}
	frequencies = []string{"UPDATE_CONT", "HOURLY", "DAILY", "WEEKLY", "MONTHLY", "QUARTERLY", "ANNUAL", "IRREG", "NEVER"}
	accesses    = []string{string(catalog.AccessPublic), string(catalog.AccessInternal), string(catalog.AccessRestricted)}
)

// option is one choice of a select, radio group or checkbox list.
type option struct {
	Value    string
	Label    string
	Selected bool
}

// metaForm is what the metadata form shows and sends back.
type metaForm struct {
	Title, Description, Keywords, Spatial string
	ContactName, ContactEmail             string
	Publisher, License, Frequency, Access string
	Themes                                []string
	FixedOrg                              bool // producers publish for their organization only
	// Grants name who may read a restricted dataset (logins, organization
	// IDs, comma-separated). Only stewards and admins see and send them.
	CanGrant, Grants                      bool
	AllowedUsers, AllowedOrgs             string
	ThemeOptions, LicenceOptions          []option
	FrequencyOptions, AccessOptions, Orgs []option
}

func metaFromDataset(d *catalog.Dataset) metaForm {
	m := d.Meta
	return metaForm{Title: m.Title, Description: m.Description, Keywords: strings.Join(m.Keywords, ", "), Spatial: m.Spatial,
		ContactName: m.ContactName, ContactEmail: m.ContactEmail, Publisher: m.Publisher, License: m.License,
		Frequency: m.Frequency, Access: string(d.Access), Themes: m.Themes,
		AllowedUsers: strings.Join(m.AllowedUsers, ", "), AllowedOrgs: strings.Join(m.AllowedOrgs, ", ")}
}

func parseMetaForm(r *http.Request) metaForm {
	f := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	return metaForm{Title: f("title"), Description: f("description"), Keywords: f("keywords"), Spatial: f("spatial"),
		ContactName: f("contact_name"), ContactEmail: f("contact_email"), Publisher: f("publisher"),
		License: f("license"), Frequency: f("frequency"), Access: f("access"), Themes: r.PostForm["themes"],
		Grants: f("grants") == "1", AllowedUsers: f("allowed_users"), AllowedOrgs: f("allowed_orgs")}
}

// validate returns a French message for the first problem, or "".
func (m *metaForm) validate(msgs *Messages) string {
	switch {
	case m.Title == "":
		return msgs.T("admin.meta.error.title")
	case len(m.Title) > 300 || len(m.Description) > 20000 || len(m.Keywords) > 2000:
		return msgs.T("admin.meta.error.long")
	case m.ContactEmail != "" && !validEmail(m.ContactEmail):
		return msgs.T("admin.meta.error.email")
	case !slices.Contains(licences, m.License):
		return msgs.T("admin.meta.error.licence")
	case m.Frequency != "" && !slices.Contains(frequencies, m.Frequency):
		return msgs.T("admin.meta.error.frequency")
	case !slices.Contains(accesses, m.Access):
		return msgs.T("admin.meta.error.access")
	case len(m.AllowedUsers) > 2000 || len(m.AllowedOrgs) > 2000:
		return msgs.T("admin.meta.error.long")
	}
	for _, t := range m.Themes {
		if !slices.Contains(themeCodes, t) {
			return msgs.T("admin.meta.error.theme")
		}
	}
	return ""
}

func validEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s
}

// apply copies the form into d.
func (m *metaForm) apply(d *catalog.Dataset) {
	d.Access = catalog.Access(m.Access)
	d.Meta.Title, d.Meta.Description, d.Meta.Spatial = m.Title, m.Description, m.Spatial
	d.Meta.ContactName, d.Meta.ContactEmail = m.ContactName, m.ContactEmail
	d.Meta.Publisher, d.Meta.License, d.Meta.Frequency = m.Publisher, m.License, m.Frequency
	d.Meta.Themes = slices.Clone(m.Themes)
	d.Meta.Keywords = splitList(m.Keywords)
	if m.Grants {
		d.Meta.AllowedUsers, d.Meta.AllowedOrgs = splitList(m.AllowedUsers), splitList(m.AllowedOrgs)
	}
}

// splitList reads a comma-separated list, without blanks or repeats, at
// most 50 items.
func splitList(s string) []string {
	var out []string
	for _, k := range strings.Split(s, ",") {
		if k = strings.TrimSpace(k); k != "" && !slices.Contains(out, k) && len(out) < 50 {
			out = append(out, k)
		}
	}
	return out
}

// fill sets the choices of the form for p: stewards and admins choose any
// organization; anyone else publishes for their own, which the form shows
// fixed (and the use case enforces).
func (b *backOffice) fill(ctx context.Context, p auth.Principal, m *metaForm) error {
	if !p.Is(auth.RoleAdmin, auth.RoleSteward) {
		m.FixedOrg, m.Publisher = true, p.User.Org
	}
	m.CanGrant = p.Is(auth.RoleAdmin, auth.RoleSteward)
	if m.Publisher == "" {
		m.Publisher = p.User.Org // a steward publishes for their own organization by default
	}
	if m.License == "" {
		m.License = catalog.DefaultLicense
	}
	if m.Access == "" {
		m.Access = string(catalog.AccessPublic)
	}
	m.ThemeOptions = b.options("theme", themeCodes, m.Themes...)
	m.LicenceOptions = b.options("licence", licences, m.License)
	m.FrequencyOptions = b.options("freq", frequencies, m.Frequency)
	m.AccessOptions = b.options("access", accesses, m.Access)
	orgs, err := b.app.Store.Organizations(ctx)
	if err != nil {
		return err
	}
	m.Orgs = nil
	for _, o := range orgs {
		if !m.FixedOrg || o.ID == m.Publisher {
			m.Orgs = append(m.Orgs, option{Value: o.ID, Label: o.Name, Selected: o.ID == m.Publisher})
		}
	}
	return nil
}

func (b *backOffice) options(kind string, codes []string, selected ...string) []option {
	out := make([]option, len(codes))
	for i, c := range codes {
		out[i] = option{Value: c, Label: b.label(kind, c), Selected: slices.Contains(selected, c)}
	}
	return out
}
