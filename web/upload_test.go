package web

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/socle/socle/internal/errs"
)

const communesCSV = "Commune;Code;Population\nAngers;49007;155000\nAvrillé;49015;14000\nTrélazé;49353;15000\n"

var uploadToken = regexp.MustCompile(`^/admin/uploads/([A-Za-z0-9_-]{24})$`)

// stage uploads a file as b and returns its preview path.
func stage(t *testing.T, b *browser, dataset, name, content string) string {
	t.Helper()
	p := b.upload("/admin/datasets/new", [][2]string{{"csrf", b.token("/admin/datasets/new")}, {"dataset", dataset}}, name, content)
	if p.status != http.StatusSeeOther || !uploadToken.MatchString(p.location) {
		t.Fatalf("upload: %d to %q: %.1500s", p.status, p.location, p.body)
	}
	return p.location
}

// publishForm is a complete publication form for the communes file.
func publishForm(csrf string) url.Values {
	return url.Values{"csrf": {csrf}, "title": {"Communes de test"}, "description": {"Trois communes"},
		"keywords": {"communes, population"}, "themes": {"REGI", "SOCI"}, "license": {"ODbL-1.0"}, "frequency": {"ANNUAL"},
		"publisher": {"metro"}, "access": {"public"}, "label.code": {"Code INSEE"}, "type.code": {"text"}}
}

func TestUploadPreviewPublish(t *testing.T) {
	onEngines(t, func(t *testing.T, s *adminSite) {
		b := s.login(t, "prod")
		preview := stage(t, b, "", "Communes 2024.csv", communesCSV)
		p := b.get(preview)
		wantStatus(t, "preview", p, http.StatusOK, "communes-2024", "Avrillé", `name="type.population"`, `name="label.commune"`)
		csrf := csrfField.FindStringSubmatch(p.body)[1]
		if other := s.login(t, "root").get(preview); other.status != http.StatusNotFound {
			t.Errorf("another user sees the staged upload: %d", other.status)
		}
		pub := b.post(preview+"/publish", publishForm(csrf))
		wantStatus(t, "publish", pub, http.StatusSeeOther, "/admin/datasets/communes-2024?ok=published")
		wantStatus(t, "dataset page", b.get(pub.location), http.StatusOK, "Le jeu de données est publié", "Communes de test", "Publié")
		api := b.get("/api/explore/v2.1/catalog/datasets/communes-2024/records?order_by=population")
		wantStatus(t, "Explore API", api, http.StatusOK, `"total_count":3`, `"commune":"Avrillé"`, `"code":"49015"`)
		d, err := s.app.Store.Dataset(context.Background(), "communes-2024")
		must(t, err)
		f, _ := d.Field("code")
		if f.Label != "Code INSEE" || d.Meta.License != "ODbL-1.0" || d.Meta.Publisher != "metro" || len(d.Meta.Keywords) != 2 || len(d.Meta.Themes) != 2 {
			t.Errorf("published %+v, field %+v", d.Meta, f)
		}
		if again := b.get(preview); again.status != http.StatusNotFound {
			t.Errorf("the published upload is still staged: %d", again.status)
		}
	})
}

func TestTypeOverrideThatFailsPublishesNothing(t *testing.T) {
	onEngines(t, func(t *testing.T, s *adminSite) {
		b := s.login(t, "prod")
		preview := stage(t, b, "communes", "communes.csv", communesCSV)
		form := publishForm(b.token(preview))
		form.Set("type.code", "boolean")
		form.Set("label.commune", "Nom modifié")
		p := b.post(preview+"/publish", form)
		wantStatus(t, "failing override", p, http.StatusUnprocessableEntity,
			"Ligne 2, champ « Code INSEE » : la valeur « 49007 »", "Rien n'a été publié", `value="Nom modifié"`, `value="Communes de test"`)
		if _, err := s.app.Store.Dataset(context.Background(), "communes"); !errs.Is(err, errs.NotFound) {
			t.Errorf("a refused publication created the dataset: %v", err)
		}
		form.Set("type.code", "int")
		wantStatus(t, "fixed override", b.post(preview+"/publish", form), http.StatusSeeOther, "ok=published")
	})
}

func TestUploadRefusals(t *testing.T) {
	s := newAdminSite(t, adminEngines(t)["sqlite"](t))
	b := s.login(t, "prod")
	csrf := b.token("/admin/datasets/new")
	cases := []struct {
		name, dataset, file, content string
		status                       int
		want                         string
	}{
		{"an unknown format", "x", "rapport.pdf", "%PDF-1.4", http.StatusUnprocessableEntity, "Format de fichier non reconnu (« .pdf »)"},
		{"a file over the limit", "x", "gros.csv", "a\n" + strings.Repeat("1\n", testUploadLimit), http.StatusRequestEntityTooLarge, "dépasse la taille maximale autorisée (64,0\u00a0ko)"},
		{"a binary file under a csv name", "x", "image.csv", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", http.StatusUnprocessableEntity, "Refusé"},
		{"an invalid identifier", "Pas un identifiant", "x.csv", "a\n1\n", http.StatusUnprocessableEntity, "Identifiant invalide"},
		{"no file", "x", "", "", http.StatusUnprocessableEntity, "Choisissez un fichier"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := b.upload("/admin/datasets/new", [][2]string{{"csrf", csrf}, {"dataset", c.dataset}}, c.file, c.content)
			wantStatus(t, c.name, p, c.status, c.want)
			if entries, _ := os.ReadDir(s.staging); len(entries) != 0 {
				t.Errorf("a refused upload left files: %v", entries)
			}
		})
	}
	wantStatus(t, "the server still serves", b.get("/admin"), http.StatusOK)
	agent := s.login(t, "agent")
	wantStatus(t, "agents do not publish", agent.get("/admin/datasets/new"), http.StatusForbidden)
	wantStatus(t, "agents see a read-only notice", agent.get("/admin"), http.StatusOK, "Votre rôle permet de consulter")
}

func TestSuggestID(t *testing.T) {
	cases := map[string]string{
		"Équipements sportifs 2024.csv": "equipements-sportifs-2024",
		"data_v2.final.xlsx":            "data-v2-final",
		"2024.csv":                      "f-2024",
		"___.csv":                       "",
	}
	for in, want := range cases {
		if got := suggestID(in); got != want {
			t.Errorf("suggestID(%q) = %q, want %q", in, got, want)
		}
	}
}
