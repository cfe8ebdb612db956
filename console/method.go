package console

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
)

// Method is one way to connect a shop, shown as a form on the connect
// screen: the fields every shop has (shop id, display name, country,
// admin URL) followed by the method's own Fields (credentials). When the
// merchant submits it, the console calls Connect with what was entered,
// then tests the connection and saves the shop's settings.
//
// Secrets (fields with Secret set) are write-only: the console renders
// them as empty password fields, never fills them in again, and never
// keeps them; Connect hands them to the host's own storage, where the
// engine's Config.Connect reads them.
type Method struct {
	// ID names the method in URLs: letters, digits and '-'; unique.
	ID string
	// System is the shop system of the shops connected this way, their
	// Settings.System: the name of one of the engine's
	// Config.ShopSystems, "" for the engine's only one.
	System string
	// Title heads the method's form ("Shopify: access token of a custom
	// app"); Description is a paragraph under it.
	Title       string
	Description string
	// AdminURLLabel, AdminURLHelp and AdminURLPlaceholder describe the
	// admin URL field (defaults: "Admin URL", none, none).
	AdminURLLabel       string
	AdminURLHelp        string
	AdminURLPlaceholder string
	// Fields are the method's own fields, in order.
	Fields []Field
	// AuthField names the field whose value the shop refused when the
	// connection test reports refused credentials: the error is shown
	// next to it (default: the first secret field).
	AuthField string
	// Submit labels the form's button (default "Connect and test").
	Submit string
	// Connect stores what the merchant entered (in.Values holds Fields
	// by name). It returns an http(s) URL to send the browser to for an
	// install flow (the console saves the shop's settings and answers
	// with a page that goes on to it), or "" to go on with the
	// connection test. An error that is a
	// [*FieldError] is shown next to its field; any other error above
	// the form. Required.
	Connect func(ctx context.Context, in Input) (redirect string, err error)
	// Reauthorize, if set, asks a shop of System for the access scopes
	// its features need and the app lacks: the connection test of such a
	// shop then offers a button for it. granted are the scopes the shop
	// granted, missing those to add (the first scope of each unmet
	// requirement); it returns the http(s) link to send the browser to,
	// like Connect. For [ShopifyInstall]: shopify/oauth's
	// App.ReauthorizeURL, with the host's callback completing it as an
	// install. Optional.
	Reauthorize func(ctx context.Context, shop, adminURL string, granted, missing []string) (link string, err error)
}

// Field is one input of a [Method]'s form.
type Field struct {
	// Name is the form field's name: lower-case letters, digits and '_'.
	Name string
	// Label is shown before the field; Help under it; Placeholder in it.
	Label       string
	Help        string
	Placeholder string
	// Secret makes the field a write-only password field.
	Secret bool
	// Required makes the field required.
	Required bool
}

// Input is what a merchant entered in a [Method]'s form. Its String,
// GoString and LogValue leave Values out, so printing or logging an Input
// never shows a secret.
type Input struct {
	Shop        string
	DisplayName string
	Country     string
	AdminURL    string
	// Values holds the method's fields by name, secrets included.
	Values map[string]string
}

// String describes in without its values.
func (in Input) String() string {
	return fmt.Sprintf("console.Input{Shop: %q, AdminURL: %q, %d values}", in.Shop, in.AdminURL, len(in.Values))
}

// GoString is String, for %#v.
func (in Input) GoString() string { return in.String() }

// LogValue implements slog.LogValuer without the values.
func (in Input) LogValue() slog.Value {
	return slog.GroupValue(slog.String("shop", in.Shop), slog.String("admin_url", in.AdminURL))
}

// FieldError is an error about one field of a form, shown next to it.
type FieldError struct {
	Field  string // the field's name ("admin_url", "token", ...)
	Reason string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Reason }

var (
	methodIDPattern  = regexp.MustCompile(`^[A-Za-z0-9-]{1,40}$`)
	fieldNamePattern = regexp.MustCompile(`^[a-z0-9_]{1,40}$`)
	// commonFields are the names of the fields every method's form has.
	commonFields = map[string]bool{"shop": true, "display_name": true, "country": true, "admin_url": true}
)

func (m *Method) check() error {
	switch {
	case !methodIDPattern.MatchString(m.ID):
		return fmt.Errorf("method id %q: want letters, digits and '-'", m.ID)
	case m.Connect == nil:
		return fmt.Errorf("method %s: Connect is required", m.ID)
	case m.Title == "":
		return fmt.Errorf("method %s: Title is required", m.ID)
	}
	seen := map[string]bool{}
	for _, f := range m.Fields {
		switch {
		case !fieldNamePattern.MatchString(f.Name):
			return fmt.Errorf("method %s: field name %q: want lower-case letters, digits and '_'", m.ID, f.Name)
		case commonFields[f.Name] || seen[f.Name]:
			return fmt.Errorf("method %s: field name %q used twice", m.ID, f.Name)
		case f.Label == "":
			return fmt.Errorf("method %s: field %s has no label", m.ID, f.Name)
		}
		seen[f.Name] = true
	}
	if m.AuthField == "" {
		for _, f := range m.Fields {
			if f.Secret {
				m.AuthField = f.Name
				break
			}
		}
	}
	if m.AdminURLLabel == "" {
		m.AdminURLLabel = "Admin URL"
	}
	if m.Submit == "" {
		m.Submit = "Connect and test"
	}
	return nil
}

// ShopifyToken is the connect method of a Shopify custom app created in
// the shop's admin (Settings → Apps → Develop apps): the admin URL
// (https://NAME.myshopify.com), the app's Admin API access token and its
// API secret key, which signs the webhooks the app's subscriptions send.
// Shopify no longer lets merchants create such apps since 2026-01-01;
// shops that have one keep using it. Its shops' system is "shopify": give
// the engine Shopify's (package shopify/connector's ShopSystem).
//
// save stores the token and secret in the host's secret storage under the
// shop id (the engine's Config.Connect reads them from there); the secret
// is "" when the merchant left it empty. The admin URL is as entered: the
// engine normalises it when the settings are saved.
func ShopifyToken(save func(ctx context.Context, shop, adminURL, accessToken, apiSecret string) error) Method {
	return Method{
		ID:     "shopify-token",
		System: "shopify",
		Title:  "Shopify: access token of a custom app",
		Description: "For a shop with a custom app created in its admin (Settings → Apps → Develop apps). " +
			"The app's Admin API access token and API secret key are shown on the app's API credentials page.",
		AdminURLLabel:       "Admin URL",
		AdminURLHelp:        "The shop's admin address, https://NAME.myshopify.com, not its storefront domain.",
		AdminURLPlaceholder: "https://my-shop.myshopify.com",
		Fields: []Field{
			{Name: "access_token", Label: "Admin API access token", Secret: true, Required: true,
				Placeholder: "shpat_…", Help: "Shown once when the app is installed. Stored by the WMS, never shown again."},
			{Name: "api_secret", Label: "API secret key", Secret: true,
				Help: "Signs the app's webhooks. Leave it empty if the WMS already has it."},
		},
		AuthField: "access_token",
		Connect: func(ctx context.Context, in Input) (string, error) {
			tok := strings.TrimSpace(in.Values["access_token"])
			if tok == "" {
				return "", &FieldError{Field: "access_token", Reason: "enter the app's Admin API access token"}
			}
			return "", stored(save(ctx, in.Shop, in.AdminURL, tok, strings.TrimSpace(in.Values["api_secret"])))
		},
	}
}

// ShopifyInstall is the connect method of the WMS vendor's Shopify app,
// which the merchant installs: the form asks for the shop alone (id, name,
// country and admin URL, no secret) and its button sends the merchant to
// Shopify to approve the app. Since 2026-01-01 it is the way to connect a
// merchant's shop (see package shopify/oauth). Its shops' system is
// "shopify".
//
// install starts the install on the shop at adminURL (as entered) for the
// shop id and returns the link to send the browser to: usually
// shopify/oauth's App.AuthorizeURL with the scopes the WMS's features need
// (connector.InstallScopes). A [*FieldError] it returns is shown next to
// its field. The console saves the shop's settings and sends the browser
// on to the link.
//
// Shopify sends the merchant back to the app's redirect URL, which the
// host serves: it completes the install (App.Callback), stores the
// credentials under the shop id (credential.Replace) and sends the browser
// to [Console.ConnectedURL], the shop's connection test.
func ShopifyInstall(install func(ctx context.Context, shop, adminURL string) (link string, err error)) Method {
	return Method{
		ID:     "shopify-install",
		System: "shopify",
		Title:  "Shopify: install the app",
		Description: "Shopify asks you to approve the app in the shop's admin, then sends you back here to the connection test. " +
			"No key or token to copy: the WMS receives its access from Shopify and renews it itself.",
		AdminURLLabel:       "Admin URL",
		AdminURLHelp:        "The shop's admin address, https://NAME.myshopify.com, not its storefront domain.",
		AdminURLPlaceholder: "https://my-shop.myshopify.com",
		Submit:              "Install the app",
		Connect: func(ctx context.Context, in Input) (string, error) {
			link, err := install(ctx, in.Shop, in.AdminURL)
			var fe *FieldError
			switch {
			case errors.As(err, &fe):
				return "", err
			case err != nil:
				return "", fmt.Errorf("the install could not start: %w", err)
			case link == "":
				return "", errors.New("the install could not start: no link to the shop")
			}
			return link, nil
		},
	}
}

// WooCommerceKeys is the connect method of a WooCommerce store: its site
// address and a REST API key the merchant creates in WooCommerce
// (Settings → Advanced → REST API, with Read/Write permission): the
// consumer key (ck_…) and consumer secret (cs_…). Its shops' system is
// "woocommerce": give the engine WooCommerce's (package
// woocommerce/connector's ShopSystem). A store keeps one stock figure per
// product, so it needs no location mapping.
//
// save stores the key and secret in the host's secret storage under the
// shop id (the engine's Config.Connect reads them from there). The site
// address is as entered: the engine normalises it when the settings are
// saved.
func WooCommerceKeys(save func(ctx context.Context, shop, siteURL, consumerKey, consumerSecret string) error) Method {
	return Method{
		ID:     "woocommerce-keys",
		System: "woocommerce",
		Title:  "WooCommerce: REST API key",
		Description: "Create a key in WooCommerce under Settings → Advanced → REST API, for a user who manages the shop, " +
			"with Read/Write permission. WooCommerce shows the consumer secret only once.",
		AdminURLLabel:       "Store address",
		AdminURLHelp:        "The site's address, https://…, with its folder if WordPress runs in one.",
		AdminURLPlaceholder: "https://shop.example.com",
		Fields: []Field{
			{Name: "consumer_key", Label: "Consumer key", Secret: true, Required: true, Placeholder: "ck_…",
				Help: "Stored by the WMS, never shown again."},
			{Name: "consumer_secret", Label: "Consumer secret", Secret: true, Required: true, Placeholder: "cs_…",
				Help: "Stored by the WMS, never shown again."},
		},
		AuthField: "consumer_key",
		Connect: func(ctx context.Context, in Input) (string, error) {
			key, secret := strings.TrimSpace(in.Values["consumer_key"]), strings.TrimSpace(in.Values["consumer_secret"])
			switch {
			case key == "":
				return "", &FieldError{Field: "consumer_key", Reason: "enter the key's consumer key"}
			case secret == "":
				return "", &FieldError{Field: "consumer_secret", Reason: "enter the key's consumer secret"}
			}
			return "", stored(save(ctx, in.Shop, in.AdminURL, key, secret))
		},
	}
}

// stored explains an error of a host's save function: a [*FieldError]
// stays as it is (shown next to its field), others say the credentials
// were not stored.
func stored(err error) error {
	var fe *FieldError
	if err == nil || errors.As(err, &fe) {
		return err
	}
	return fmt.Errorf("the credentials could not be stored: %w", err)
}
