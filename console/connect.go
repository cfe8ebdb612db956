package console

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
)

// maxForm caps the body of a console form.
const maxForm = 64 << 10

// testTimeout bounds a connection test run for a page.
const testTimeout = 30 * time.Second

// connectForm is the connect screen's data: every method's form, with
// what was entered (secrets never) and the errors by field.
type connectForm struct {
	Methods []Method
	// Active is the method of the form that was submitted.
	Active string
	Values map[string]string // non-secret values entered
	Errors map[string]string // by field name
	Error  string            // above the form
	Shop   string            // reconnecting an existing shop
}

// formView is one method's form as the template draws it.
type formView struct {
	ID, Title, Description string
	Action, Submit         string
	Error                  string
	Fields                 []fieldView
}

// fieldView is one input: label, input, help and error, linked by ids.
type fieldView struct {
	ID, Name, Label, Help, Placeholder string
	Type                               string // text, password, url
	Value                              string // never a secret
	Error                              string
	Required                           bool
	Autocomplete                       string
}

// Forms returns the forms of the connect screen.
func (f connectForm) forms(c *Console) []formView {
	var out []formView
	for _, m := range f.Methods {
		fv := formView{ID: m.ID, Title: m.Title, Description: m.Description, Action: c.pages.url("connect", m.ID), Submit: m.Submit}
		val, errOf := func(string) string { return "" }, func(string) string { return "" }
		if f.Active == m.ID || f.Active == "" {
			val = func(n string) string { return f.Values[n] }
		}
		if f.Active == m.ID {
			errOf = func(n string) string { return f.Errors[n] }
			fv.Error = f.Error
		}
		add := func(fd Field, typ, auto string) {
			v := val(fd.Name)
			if fd.Secret {
				v = "" // write-only
			}
			fv.Fields = append(fv.Fields, fieldView{ID: m.ID + "-" + fd.Name, Name: fd.Name, Label: fd.Label, Help: fd.Help,
				Placeholder: fd.Placeholder, Type: typ, Value: v, Error: errOf(fd.Name), Required: fd.Required, Autocomplete: auto})
		}
		add(Field{Name: "shop", Label: "Shop id", Required: true, Placeholder: "MyShopDK",
			Help: "The shop's id in the WMS: letters, digits, '.', '-' or '_'. It never changes once orders have flowed."}, "text", "off")
		add(Field{Name: "display_name", Label: "Display name", Help: "Your label for the shop (default: the id)."}, "text", "off")
		add(Field{Name: "country", Label: "Country", Placeholder: "DK", Help: "The shop's country or market, a two-letter code."}, "text", "country")
		add(Field{Name: "admin_url", Label: m.AdminURLLabel, Help: m.AdminURLHelp, Placeholder: m.AdminURLPlaceholder, Required: true}, "url", "url")
		for _, fd := range m.Fields {
			typ, auto := "text", "off"
			if fd.Secret {
				typ, auto = "password", "new-password"
			}
			add(fd, typ, auto)
		}
		out = append(out, fv)
	}
	return out
}

func (c *Console) connectPage(w http.ResponseWriter, r *http.Request) {
	f := connectForm{Methods: c.cfg.Methods, Values: map[string]string{}}
	if shop := r.URL.Query().Get("shop"); shop != "" {
		if s, err := c.eng.Settings(r.Context(), shop); err == nil {
			f.Shop = s.Shop
			f.Values = map[string]string{"shop": s.Shop, "display_name": s.DisplayName,
				"country": s.Country, "admin_url": s.AdminURL}
		}
	}
	c.renderConnect(w, r, http.StatusOK, f)
}

func (c *Console) renderConnect(w http.ResponseWriter, r *http.Request, status int, f connectForm) {
	title := "Connect a shop"
	if f.Shop != "" {
		title = "Connect " + f.Shop + " again"
	}
	c.render(w, r, status, "connect", view{Title: title, Nav: "connect", Shop: f.Shop, Data: struct {
		Shop  string
		Forms []formView
	}{f.Shop, f.forms(c)}})
}

// connectSubmit stores the credentials through the method, tests the
// connection and, when the shop answered and accepted them, saves the
// shop's settings and shows the connection test.
func (c *Console) connectSubmit(w http.ResponseWriter, r *http.Request) {
	m, ok := c.methods[r.PathValue("method")]
	if !ok {
		c.errorPage(w, r, http.StatusNotFound, "no such way to connect a shop")
		return
	}
	if !c.parseForm(w, r) {
		return
	}
	in := Input{
		Shop:        strings.TrimSpace(r.PostForm.Get("shop")),
		DisplayName: strings.TrimSpace(r.PostForm.Get("display_name")),
		Country:     strings.TrimSpace(r.PostForm.Get("country")),
		AdminURL:    strings.TrimSpace(r.PostForm.Get("admin_url")),
		Values:      map[string]string{},
	}
	f := connectForm{Methods: c.cfg.Methods, Active: m.ID, Errors: map[string]string{},
		Values: map[string]string{"shop": in.Shop, "display_name": in.DisplayName, "country": in.Country, "admin_url": in.AdminURL}}
	if in.Shop == "" {
		f.Errors["shop"] = "enter an id for the shop, such as MyShopDK"
	}
	if in.AdminURL == "" {
		f.Errors["admin_url"] = "enter the shop's address"
	}
	for _, fd := range m.Fields {
		v := r.PostForm.Get(fd.Name)
		in.Values[fd.Name] = v
		if !fd.Secret {
			f.Values[fd.Name] = v
		}
		if fd.Required && strings.TrimSpace(v) == "" {
			f.Errors[fd.Name] = "required"
		}
	}
	fail := func() {
		c.renderConnect(w, r, http.StatusUnprocessableEntity, f)
	}
	if len(f.Errors) > 0 {
		fail()
		return
	}

	// The shop's settings: the stored ones when reconnecting, so the
	// mapping and choices are kept.
	ctx := r.Context()
	s, err := c.eng.Settings(ctx, in.Shop)
	if err != nil && !errors.Is(err, wmssync.ErrNotFound) {
		f.Error = "the shop's settings could not be read: " + err.Error()
		fail()
		return
	}
	s.Shop, s.AdminURL, s.System = in.Shop, in.AdminURL, m.System
	if in.DisplayName != "" {
		s.DisplayName = in.DisplayName
	}
	if in.Country != "" {
		s.Country = in.Country
	}

	redirect, err := m.Connect(ctx, in)
	if err != nil {
		c.fieldErrors(err, &f.Error, f.Errors)
		fail()
		return
	}
	if redirect != "" {
		if !webAddress(redirect) {
			f.Error = "the way to connect this shop gave no valid address to go on to"
			fail()
			return
		}
		if _, err := c.eng.SaveSettings(ctx, s); err != nil {
			c.fieldErrors(err, &f.Error, f.Errors)
			fail()
			return
		}
		c.forward(w, r, redirect, "The shop asks you to approve the connection ("+m.Title+"), then sends you back here to the connection test of "+s.Shop+".")
		return
	}

	tctx, cancel := context.WithTimeout(ctx, testTimeout)
	defer cancel()
	rep, err := c.eng.TestConnection(tctx, s)
	if err != nil {
		c.fieldErrors(err, &f.Error, f.Errors)
		fail()
		return
	}
	switch {
	case !rep.Reached:
		f.Errors["admin_url"] = "the shop could not be reached at this address: " + rep.Error
		fail()
		return
	case !rep.Authorized:
		f.Errors[m.AuthField] = "the shop refused these credentials: " + rep.Error
		fail()
		return
	}
	if _, err := c.eng.SaveSettings(ctx, s); err != nil {
		c.fieldErrors(err, &f.Error, f.Errors)
		fail()
		return
	}
	// New credentials of a shop connected before: the engine connects it
	// again with them.
	if err := c.eng.CredentialsChanged(ctx, s.Shop); err != nil {
		c.log.LogAttrs(ctx, slog.LevelWarn, "console: credentials changed", slog.String("shop", s.Shop), slog.String("error", err.Error()))
	}
	c.redirect(w, r, "connected", "shops", s.Shop, "test")
}

// fieldErrors puts err next to its field when it names one (a
// [*FieldError] or a settings error), else into top.
func (c *Console) fieldErrors(err error, top *string, byField map[string]string) {
	var fe *FieldError
	var se *wmssync.SettingsError
	switch {
	case errors.As(err, &fe):
		byField[fe.Field] = fe.Reason
	case errors.As(err, &se):
		byField[se.Field] = se.Reason
	default:
		*top = err.Error()
	}
}

// ConnectedURL is the address of shop's connection test, announcing that
// the shop is connected: where a host's install callback (see
// [ShopifyInstall]) sends the merchant's browser once it stored the
// shop's credentials. It includes Config.BasePath.
func (c *Console) ConnectedURL(shop string) string {
	return c.pages.url("shops", shop, "test") + "?done=connected"
}

// webAddress reports whether link is an absolute http(s) address, the only
// kind the console sends a browser on to.
func webAddress(link string) bool {
	u, err := url.Parse(link)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}

// forward answers with a page that sends the browser on to link (checked
// with webAddress), saying why. It is a page, not a redirect, because the
// policy's form-action keeps a form's answer on the console.
func (c *Console) forward(w http.ResponseWriter, r *http.Request, link, why string) {
	c.render(w, r, http.StatusOK, "forward", view{Title: "Continue at the shop", Nav: "connect", Forward: link,
		Data: struct{ Text, Link, LinkText string }{why, link, "Continue to the shop"}})
}

// reauthorizer returns the first method that asks shops of system for
// missing scopes, nil if none does.
func (c *Console) reauthorizer(system string) *Method {
	for i, m := range c.cfg.Methods {
		if m.Reauthorize != nil && m.System == system {
			return &c.cfg.Methods[i]
		}
	}
	return nil
}

// askScopes asks the shop for the access scopes its saved settings need
// and the app lacks, through the connect method that can.
func (c *Console) askScopes(w http.ResponseWriter, r *http.Request) {
	s, ok := c.shopSettings(w, r)
	if !ok {
		return
	}
	m := c.reauthorizer(s.System)
	if m == nil {
		c.errorPage(w, r, http.StatusNotFound, "this console cannot ask this shop for access: connect it again with new credentials")
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), testTimeout)
	defer cancel()
	rep, err := c.eng.TestConnection(ctx, s)
	switch {
	case err != nil:
		c.errorPage(w, r, http.StatusInternalServerError, "the connection test could not run: "+err.Error())
		return
	case !rep.Reached || !rep.Authorized:
		c.errorPage(w, r, http.StatusConflict, "the shop did not accept the connection ("+rep.Error+"): connect it again")
		return
	}
	missing := rep.MissingScopeNames()
	if len(missing) == 0 {
		c.redirect(w, r, "granted", "shops", s.Shop, "test")
		return
	}
	link, err := m.Reauthorize(ctx, s.Shop, s.AdminURL, rep.Identity.GrantedScopes, missing)
	if err != nil || !webAddress(link) {
		msg := "no valid address to go on to"
		if err != nil {
			msg = err.Error()
		}
		c.errorPage(w, r, http.StatusBadGateway, "the request for access could not start: "+msg)
		return
	}
	c.forward(w, r, link, "The shop asks you to approve the access the settings need ("+strings.Join(missing, ", ")+
		"), then sends you back here to the connection test of "+s.Shop+".")
}
