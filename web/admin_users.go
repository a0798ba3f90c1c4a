package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/socle/socle/internal/app"
	"github.com/socle/socle/internal/auth"
	"github.com/socle/socle/internal/errs"
)

// roles are the roles an administrator assigns, most powerful first.
var roles = []string{string(auth.RoleAdmin), string(auth.RoleSteward), string(auth.RoleProducer), string(auth.RoleAgent), string(auth.RolePartner)}

// userForm is the account form, for creation and changes.
type userForm struct {
	Login, Name, Role, Org string
	Roles, Orgs            []option
}

// usersPage is the data of the accounts list.
type usersPage struct {
	Users []*auth.User
	Form  userForm
	Error string
}

// userPage is the data of one account's page.
type userPage struct {
	U     *auth.User
	Form  userForm
	Error string
	Self  bool
}

func (b *backOffice) handleUsers(w http.ResponseWriter, r *http.Request) {
	p, ok := b.requireAdmin(w, r)
	if !ok {
		return
	}
	b.renderUsers(w, r, http.StatusOK, p, &usersPage{Form: userForm{Role: string(auth.RoleProducer)}})
}

func (b *backOffice) renderUsers(w http.ResponseWriter, r *http.Request, status int, p auth.Principal, page *usersPage) {
	users, err := b.app.ListUsers(r.Context(), p)
	if err == nil {
		page.Users = users
		err = b.fillUserForm(r, &page.Form)
	}
	if err != nil {
		b.renderError(w, r, err)
		return
	}
	b.render(w, r, status, "admin_users", b.msgs.T("admin.users.title"), page)
}

func (b *backOffice) fillUserForm(r *http.Request, f *userForm) error {
	f.Roles = b.options("admin.role", roles, f.Role)
	orgs, err := b.app.Store.Organizations(r.Context())
	if err != nil {
		return err
	}
	f.Orgs = nil
	for _, o := range orgs {
		f.Orgs = append(f.Orgs, option{Value: o.ID, Label: o.Name, Selected: o.ID == f.Org})
	}
	return nil
}

func parseUserForm(r *http.Request) userForm {
	f := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	return userForm{Login: f("login"), Name: f("name"), Role: f("role"), Org: f("org")}
}

func (b *backOffice) handleCreateUser(w http.ResponseWriter, r *http.Request) {
	p, ok := b.requireAdmin(w, r)
	if !ok {
		return
	}
	page := &usersPage{Form: parseUserForm(r)}
	password := r.PostFormValue("password")
	switch {
	case page.Form.Login == "":
		page.Error = b.msgs.T("admin.users.error.login")
	case len([]rune(password)) < app.MinAdminPasswordLen:
		page.Error = b.msgs.T("admin.users.error.password", app.MinAdminPasswordLen)
	case !auth.Role(page.Form.Role).Valid():
		page.Error = b.msgs.T("admin.users.error.role")
	default:
		u := &auth.User{Login: page.Form.Login, Name: page.Form.Name, Role: auth.Role(page.Form.Role), Org: page.Form.Org}
		if err := b.app.CreateUser(r.Context(), p, u, password); err != nil {
			page.Error = b.failure(r, err)
		}
	}
	if page.Error != "" {
		b.renderUsers(w, r, http.StatusUnprocessableEntity, p, page)
		return
	}
	redirectOK(w, r, "/admin/users", "user-created")
}

func (b *backOffice) handleUser(w http.ResponseWriter, r *http.Request) {
	p, ok := b.requireAdmin(w, r)
	if !ok {
		return
	}
	u, err := b.app.UserAdmin(r.Context(), p, pathID(r, "uid"))
	if err != nil {
		b.renderError(w, r, err)
		return
	}
	b.renderUser(w, r, http.StatusOK, p, &userPage{U: u, Form: userForm{Login: u.Login, Name: u.Name, Role: string(u.Role), Org: u.Org}})
}

func (b *backOffice) renderUser(w http.ResponseWriter, r *http.Request, status int, p auth.Principal, page *userPage) {
	if err := b.fillUserForm(r, &page.Form); err != nil {
		b.renderError(w, r, err)
		return
	}
	page.Self = page.U.ID == p.User.ID
	b.render(w, r, status, "admin_user", b.msgs.T("admin.user.title", page.U.Login), page)
}

func (b *backOffice) handleUpdateUser(w http.ResponseWriter, r *http.Request) {
	p, ok := b.requireAdmin(w, r)
	if !ok {
		return
	}
	id := pathID(r, "uid")
	u, err := b.app.UserAdmin(r.Context(), p, id)
	if err != nil {
		b.renderError(w, r, err)
		return
	}
	page := &userPage{U: u, Form: parseUserForm(r)}
	page.Form.Login = u.Login
	switch {
	case !auth.Role(page.Form.Role).Valid():
		page.Error = b.msgs.T("admin.users.error.role")
	case u.ID == p.User.ID && page.Form.Role != string(auth.RoleAdmin):
		page.Error = b.msgs.T("admin.users.error.selfrole")
	default:
		if err := b.app.UpdateUserAdmin(r.Context(), p, id, page.Form.Name, auth.Role(page.Form.Role), page.Form.Org); err != nil {
			page.Error = b.failure(r, err)
		}
	}
	if page.Error != "" {
		b.renderUser(w, r, http.StatusUnprocessableEntity, p, page)
		return
	}
	redirectOK(w, r, "/admin/users/"+strconv.FormatInt(id, 10), "user-saved")
}

func (b *backOffice) handleDisableUser(w http.ResponseWriter, r *http.Request) {
	b.setDisabled(w, r, true)
}
func (b *backOffice) handleEnableUser(w http.ResponseWriter, r *http.Request) {
	b.setDisabled(w, r, false)
}

// setDisabled disables (ending the account's sessions) or enables an
// account.
func (b *backOffice) setDisabled(w http.ResponseWriter, r *http.Request, disabled bool) {
	p, ok := b.requireAdmin(w, r)
	if !ok {
		return
	}
	id := pathID(r, "uid")
	if id == p.User.ID && disabled {
		b.renderError(w, r, errs.E(errs.Invalid, "%s", b.msgs.T("admin.users.error.selfdisable")))
		return
	}
	if err := b.app.SetUserDisabled(r.Context(), p, id, disabled); err != nil {
		b.renderError(w, r, err)
		return
	}
	flash := "user-enabled"
	if disabled {
		flash = "user-disabled"
	}
	redirectOK(w, r, "/admin/users/"+strconv.FormatInt(id, 10), flash)
}
