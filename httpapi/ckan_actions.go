package httpapi

import (
	"context"
	"net/http"
	"slices"
	"strings"

	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/ckan"
	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/export"
)

// ckanVersion is the CKAN release whose API this subset follows; clients
// read it from status_show to choose features.
const ckanVersion = "2.11.0"

func ckanSite(r *http.Request) ckan.Site {
	site := ckan.Site{BaseURL: baseURL(r)}
	for _, f := range export.Formats {
		site.Downloads = append(site.Downloads, ckan.Download{Format: string(f), Mimetype: f.ContentType()})
	}
	return site
}

func (s *Server) ckanStatusShow(ctx context.Context, r *http.Request, p ckanParams) (any, error) {
	return map[string]any{
		"site_title": "Socle", "site_description": "Portail de données ouvertes (API CKAN en lecture)",
		"site_url": baseURL(r), "error_emails_to": nil, "locale_default": "fr",
		"extensions": []string{"datastore"}, "ckan_version": ckanVersion,
	}, nil
}

// ckanPackages maps the datasets the caller may see, in name order.
func (s *Server) ckanPackages(ctx context.Context, r *http.Request) ([]ckan.Package, error) {
	ds, err := s.app.Datasets(ctx, principal(r))
	if err != nil {
		return nil, err
	}
	orgs, err := s.ckanOrgs(ctx)
	if err != nil {
		return nil, err
	}
	site := ckanSite(r)
	out := make([]ckan.Package, 0, len(ds))
	for _, d := range ds {
		out = append(out, ckan.PackageOf(d, orgs[d.Meta.Publisher], site))
	}
	slices.SortFunc(out, func(a, b ckan.Package) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

func (s *Server) ckanOrgs(ctx context.Context) (map[string]*catalog.Organization, error) {
	list, err := s.app.Store.Organizations(ctx)
	if err != nil {
		return nil, err
	}
	m := make(map[string]*catalog.Organization, len(list))
	for _, o := range list {
		m[o.ID] = o
	}
	return m, nil
}

func (s *Server) ckanPackageList(ctx context.Context, r *http.Request, p ckanParams) (any, error) {
	limit, err := p.int("limit", ckan.MaxRows, ckan.MaxRows)
	if err != nil {
		return nil, err
	}
	offset, err := p.int("offset", 0, 1<<30)
	if err != nil {
		return nil, err
	}
	ds, err := s.app.Datasets(ctx, principal(r))
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(ds))
	for _, d := range ds {
		if d.Access == catalog.AccessPublic { // CKAN lists public datasets only
			names = append(names, d.ID)
		}
	}
	slices.Sort(names)
	names = names[min(offset, len(names)):]
	return names[:min(limit, len(names))], nil
}

func (s *Server) ckanPackageSearch(ctx context.Context, r *http.Request, p ckanParams) (any, error) {
	sp, err := ckanSearchParams(p)
	if err != nil {
		return nil, err
	}
	withPrivate, err := p.bool("include_private", false)
	if err != nil {
		return nil, err
	}
	pkgs, err := s.ckanPackages(ctx, r)
	if err != nil {
		return nil, err
	}
	if !withPrivate { // as CKAN: private datasets only when asked for
		pkgs = slices.DeleteFunc(pkgs, func(p ckan.Package) bool { return p.Private })
	}
	return ckan.Run(pkgs, sp), nil
}

func ckanSearchParams(p ckanParams) (ckan.SearchParams, error) {
	var sp ckan.SearchParams
	var err error
	if sp.Search, err = ckan.ParseSearch(p.str("q"), p.str("fq")); err != nil {
		return sp, err
	}
	sp.SortText = p.str("sort")
	if sp.Sort, err = ckan.ParseSort(sp.SortText); err != nil {
		return sp, err
	}
	if sp.SortText == "" {
		sp.SortText = ckan.DefaultSort
	}
	if sp.Rows, err = p.int("rows", ckan.DefaultRows, ckan.MaxRows); err != nil {
		return sp, err
	}
	if sp.Start, err = p.int("start", 0, 1<<30); err != nil {
		return sp, err
	}
	if sp.FacetFields, err = p.list("facet.field"); err != nil {
		return sp, err
	}
	if err := ckan.CheckFacetFields(sp.FacetFields); err != nil {
		return sp, err
	}
	sp.FacetLimit = ckan.DefaultFacetLimit
	if s := p.str("facet.limit"); s == "-1" {
		sp.FacetLimit = -1
	} else if sp.FacetLimit, err = p.int("facet.limit", ckan.DefaultFacetLimit, 1000); err != nil {
		return sp, err
	}
	return sp, nil
}

// ckanDataset finds a dataset the caller may see by name or by UID (a
// package's id); anything else is Not Found.
func (s *Server) ckanDataset(ctx context.Context, r *http.Request, id string) (*catalog.Dataset, error) {
	notFound := errs.E(errs.NotFound, "Not found")
	if id == "" || len(id) > 200 {
		return nil, notFound
	}
	d, err := s.app.Dataset(ctx, principal(r), id)
	if err == nil || !errs.Is(err, errs.NotFound) {
		return d, err
	}
	ds, err := s.app.Datasets(ctx, principal(r))
	if err != nil {
		return nil, err
	}
	for _, d := range ds {
		if d.UID == id {
			return d, nil
		}
	}
	return nil, notFound
}

func (s *Server) ckanPackageShow(ctx context.Context, r *http.Request, p ckanParams) (any, error) {
	id := p.str("id")
	if id == "" {
		id = p.str("name")
	}
	if id == "" {
		return nil, ckan.Invalid("id", "Missing value")
	}
	d, err := s.ckanDataset(ctx, r, id)
	if err != nil {
		return nil, err
	}
	orgs, err := s.ckanOrgs(ctx)
	if err != nil {
		return nil, err
	}
	s.app.AuditRead(ctx, principal(r), d, "dataset.read", 0)
	return ckan.PackageOf(d, orgs[d.Meta.Publisher], ckanSite(r)), nil
}

func (s *Server) ckanResourceShow(ctx context.Context, r *http.Request, p ckanParams) (any, error) {
	id := p.str("id")
	if id == "" {
		return nil, ckan.Invalid("id", "Missing value")
	}
	uid, _, ok := ckan.SplitResourceID(id)
	if !ok {
		return nil, errs.E(errs.NotFound, "Resource was not found.")
	}
	d, err := s.ckanDataset(ctx, r, uid)
	if err != nil {
		return nil, errs.Wrap(errs.KindOf(err), err, "Resource was not found.")
	}
	pkg := ckan.PackageOf(d, nil, ckanSite(r))
	for _, res := range pkg.Resources {
		if res.ID == id {
			return res, nil
		}
	}
	return nil, errs.E(errs.NotFound, "Resource was not found.")
}

func (s *Server) ckanOrganizationList(ctx context.Context, r *http.Request, p ckanParams) (any, error) {
	allFields, err := p.bool("all_fields", false)
	if err != nil {
		return nil, err
	}
	withCount, err := p.bool("include_dataset_count", true)
	if err != nil {
		return nil, err
	}
	limit, err := p.int("limit", 1000, 1000)
	if err != nil {
		return nil, err
	}
	offset, err := p.int("offset", 0, 1<<30)
	if err != nil {
		return nil, err
	}
	only, err := p.list("organizations")
	if err != nil {
		return nil, err
	}
	orgs, err := s.ckanOrgList(ctx, r, only, p.str("sort"))
	if err != nil {
		return nil, err
	}
	orgs = orgs[min(offset, len(orgs)):]
	orgs = orgs[:min(limit, len(orgs))]
	if !allFields {
		names := make([]string, len(orgs))
		for i, o := range orgs {
			names[i] = o.Name
		}
		return names, nil
	}
	if !withCount {
		for i := range orgs {
			orgs[i].PackageCount = nil
		}
	}
	return orgs, nil
}

// ckanOrgList lists the organizations (all are public, as in CKAN) with
// the number of their datasets the caller may see, sorted by "name" (the
// default), "title" or "package_count", asc or desc.
func (s *Server) ckanOrgList(ctx context.Context, r *http.Request, only []string, sort string) ([]ckan.Organization, error) {
	list, err := s.app.Store.Organizations(ctx)
	if err != nil {
		return nil, err
	}
	ds, err := s.app.Datasets(ctx, principal(r))
	if err != nil {
		return nil, err
	}
	counts := map[string]int{}
	for _, d := range ds {
		counts[d.Meta.Publisher]++
	}
	var out []ckan.Organization
	for _, o := range list {
		if len(only) > 0 && !slices.Contains(only, o.ID) {
			continue
		}
		co := ckan.OrganizationOf(o)
		n := counts[o.ID]
		co.PackageCount = &n
		out = append(out, co)
	}
	key, dir, _ := strings.Cut(strings.TrimSpace(sort), " ")
	cmp := func(a, b ckan.Organization) int { return strings.Compare(a.Name, b.Name) }
	switch key {
	case "", "name":
	case "title", "display_name":
		cmp = func(a, b ckan.Organization) int {
			return strings.Compare(strings.ToLower(a.Title), strings.ToLower(b.Title))
		}
	case "package_count":
		cmp = func(a, b ckan.Organization) int { return *a.PackageCount - *b.PackageCount }
	default:
		return nil, ckan.Invalid("sort", "cannot sort organizations by %q (name, title, package_count)", key)
	}
	slices.SortStableFunc(out, cmp)
	switch strings.ToLower(strings.TrimSpace(dir)) {
	case "", "asc":
	case "desc":
		slices.Reverse(out)
	default:
		return nil, ckan.Invalid("sort", "invalid sort direction %q", dir)
	}
	if out == nil {
		out = []ckan.Organization{}
	}
	return out, nil
}

func (s *Server) ckanOrganizationShow(ctx context.Context, r *http.Request, p ckanParams) (any, error) {
	id := p.str("id")
	if id == "" {
		return nil, ckan.Invalid("id", "Missing value")
	}
	withDatasets, err := p.bool("include_datasets", false)
	if err != nil {
		return nil, err
	}
	orgs, err := s.ckanOrgList(ctx, r, []string{id}, "")
	if err != nil {
		return nil, err
	}
	if len(orgs) == 0 {
		return nil, errs.E(errs.NotFound, "Organization not found")
	}
	o := orgs[0]
	o.Extras = []ckan.Extra{}
	if withDatasets {
		pkgs, err := s.ckanPackages(ctx, r)
		if err != nil {
			return nil, err
		}
		o.Packages = []ckan.Package{}
		for _, pk := range pkgs {
			if pk.OwnerOrg != nil && *pk.OwnerOrg == o.ID && len(o.Packages) < ckan.MaxRows {
				o.Packages = append(o.Packages, pk)
			}
		}
	}
	return o, nil
}
