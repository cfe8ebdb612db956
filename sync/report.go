package sync

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/wmsbridge/wmsbridge/wms"
)

// ConnectionReport is the result of [Engine.TestConnection]: whether
// the settings reach a real shop with valid credentials, what the shop is,
// whether the granted scopes cover the features the settings switch on,
// how its locations map to warehouses, and whether the API version is
// supported. It is data (JSON-encodable) and text ([ConnectionReport.String]).
type ConnectionReport struct {
	Shop     string `json:"shop"`
	AdminURL string `json:"admin_url"`
	// Reached: the address answered as a shop. Authorized: the shop
	// accepted the credentials. Error says what failed when either is
	// false or reading the shop failed otherwise.
	Reached    bool   `json:"reached"`
	Authorized bool   `json:"authorized"`
	Error      string `json:"error,omitempty"`
	// Identity is what the shop says about itself.
	Identity ShopInfo `json:"identity"`
	// DomainMatches reports that the shop names itself as its shop system
	// names it in webhook events for these settings
	// ([ShopSystem.EventShop]), which events are matched by.
	DomainMatches bool `json:"domain_matches"`
	// MissingScopes lists each required scope not granted, with the
	// feature that needs it.
	MissingScopes []ScopeRequirement `json:"missing_scopes,omitempty"`
	// Unsupported lists the features the settings ask for that the shop
	// system does not have (requirements marked NotSupported):
	// reported, with the reason, but not a failure.
	Unsupported []ScopeRequirement `json:"unsupported,omitempty"`
	// Locations lists the shop's locations with their mapping;
	// UnknownMappings lists mapped location ids the shop does not have.
	Locations       []LocationMapping `json:"locations"`
	UnknownMappings []string          `json:"unknown_mappings,omitempty"`
	// APIVersion and APIVersionOK: the version used and whether the shop
	// supports it.
	APIVersion   string `json:"api_version,omitempty"`
	APIVersionOK bool   `json:"api_version_ok"`
}

// LocationMapping is one shop location and the warehouse it maps to.
type LocationMapping struct {
	Location
	// Warehouse is the mapped warehouse id, "" when unmapped (the
	// location's stock, orders and POS sales are ignored).
	Warehouse string `json:"warehouse,omitempty"`
}

// OK reports whether the settings work for every feature they switch on:
// shop reached, credentials valid, domain matching, no scope missing, API
// version supported. Unmapped locations are reported but do not make the
// report fail (ignoring them is allowed).
func (r *ConnectionReport) OK() bool {
	return r.Reached && r.Authorized && r.Error == "" && r.DomainMatches && len(r.MissingScopes) == 0 &&
		r.APIVersionOK && len(r.UnknownMappings) == 0
}

// MissingScopeNames returns the scope to ask for of each entry of
// MissingScopes (the first of AnyOf), once each: what a re-authorization
// link has to add (shopify/oauth's ReauthorizeURL).
func (r *ConnectionReport) MissingScopeNames() []string {
	var out []string
	for _, m := range r.MissingScopes {
		if len(m.AnyOf) > 0 && !slices.Contains(out, m.AnyOf[0]) {
			out = append(out, m.AnyOf[0])
		}
	}
	return out
}

// Problems returns what is wrong, one sentence each, in the order a
// merchant should fix it; empty when OK.
func (r *ConnectionReport) Problems() []string {
	var out []string
	switch {
	case !r.Reached:
		return []string{fmt.Sprintf("the shop at %s could not be reached: %s", r.AdminURL, r.Error)}
	case !r.Authorized:
		return []string{"the shop refused the access token: " + r.Error}
	case r.Error != "":
		return []string{"reading the shop failed: " + r.Error}
	}
	if !r.DomainMatches {
		out = append(out, fmt.Sprintf("the admin URL %s is not the shop's own address %s", r.AdminURL, r.Identity.Domain))
	}
	if !r.APIVersionOK {
		out = append(out, fmt.Sprintf("API version %q is not supported by the shop", r.APIVersion))
	}
	for _, m := range r.MissingScopes {
		s := fmt.Sprintf("scope %s missing: needed to %s", m.AnyOf[0], m.Feature)
		if m.Reason != "" {
			s += " (" + m.Reason + ")"
		}
		out = append(out, s)
	}
	for _, id := range r.UnknownMappings {
		out = append(out, fmt.Sprintf("the location mapping names location %s, which the shop does not have", id))
	}
	return out
}

// String renders the report for a terminal or a log.
func (r *ConnectionReport) String() string {
	var b strings.Builder
	status := "OK"
	if !r.OK() {
		status = "NOT OK"
	}
	fmt.Fprintf(&b, "Connection test of %s (%s): %s\n", r.Shop, r.AdminURL, status)
	mark := func(ok bool) string {
		if ok {
			return "yes"
		}
		return "no"
	}
	fmt.Fprintf(&b, "  reached: %s, token valid: %s\n", mark(r.Reached), mark(r.Authorized))
	if r.Reached && r.Authorized && r.Error == "" {
		id := r.Identity
		fmt.Fprintf(&b, "  shop: %s (%s), country %s, currency %s, time zone %s\n",
			id.Name, id.Domain, dash(id.Country), dash(id.Currency), dash(id.Timezone))
		fmt.Fprintf(&b, "  API version: %s supported: %s\n", dash(r.APIVersion), mark(r.APIVersionOK))
		fmt.Fprintf(&b, "  scopes granted: %s\n", dash(strings.Join(id.GrantedScopes, ", ")))
		fmt.Fprintf(&b, "  locations:\n")
		for _, l := range r.Locations {
			wh := "not mapped (ignored)"
			if l.Warehouse != "" {
				wh = "-> warehouse " + l.Warehouse
			}
			active := ""
			if !l.Active {
				active = " (inactive)"
			}
			fmt.Fprintf(&b, "    %s %s%s %s\n", l.ID, l.Name, active, wh)
		}
	}
	for _, u := range r.Unsupported {
		fmt.Fprintf(&b, "  not supported: %s", u.Feature)
		if u.Reason != "" {
			fmt.Fprintf(&b, " (%s)", u.Reason)
		}
		b.WriteString("\n")
	}
	if p := r.Problems(); len(p) > 0 {
		fmt.Fprintf(&b, "  problems:\n")
		for _, s := range p {
			fmt.Fprintf(&b, "    - %s\n", s)
		}
	}
	return b.String()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// Features returns the features the settings switch on, as the connector
// needs them to name the required scopes. today is the current day.
func (s Settings) Features(today wms.Date, defaultHistoryDays int) Features {
	f := Features{Products: true, CustomsCost: true, Orders: true, POS: s.POS, Today: today,
		Outbound: s.OutboundKinds()}
	since := s.SalesHistorySince
	if since.IsZero() {
		since = today.AddDays(-defaultHistoryDays)
	}
	if since.Before(today) {
		f.SalesHistorySince = since
	}
	return f
}

// TestConnection checks settings before they are saved: it validates
// them, connects with [Config.Connect] and asks the connector about the
// shop. Reaching problems (wrong address, refused token, missing scopes...)
// are reported in the returned report, not as an error; the error is for
// invalid settings ([*SettingsError]) and a context that ended.
func (e *Engine) TestConnection(ctx context.Context, s Settings) (*ConnectionReport, error) {
	s, err := e.validate(ctx, s)
	if err != nil {
		return nil, err
	}
	r := &ConnectionReport{Shop: s.Shop, AdminURL: s.AdminURL, APIVersion: s.APIVersion}
	conn, err := e.cfg.Connect(ctx, s.Clone())
	if err == nil && conn == nil {
		err = errors.New("no connector")
	}
	var info ShopInfo
	if err == nil {
		info, err = conn.Inspect(ctx, s.Features(wms.DateOf(e.now()), e.cfg.SalesHistoryDays))
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		r.Error = err.Error()
		switch {
		case errors.Is(err, ErrUnreachable):
		case errors.Is(err, ErrUnauthorized):
			r.Reached = true
		default:
			r.Reached, r.Authorized = true, true
		}
		return r, nil
	}
	r.Reached, r.Authorized = true, true
	r.Identity = info
	sys, err := e.system(s)
	if err != nil {
		return nil, err
	}
	r.DomainMatches = info.Domain == "" || strings.EqualFold(info.Domain, sys.EventShop(s))
	if info.APIVersion != "" {
		r.APIVersion = info.APIVersion
	}
	r.APIVersionOK = info.APIVersionOK
	granted := map[string]bool{}
	for _, g := range info.GrantedScopes {
		granted[g] = true
	}
	for _, req := range info.RequiredScopes {
		if req.NotSupported {
			r.Unsupported = append(r.Unsupported, req)
			continue
		}
		if len(req.AnyOf) == 0 || slices.ContainsFunc(req.AnyOf, func(sc string) bool { return granted[sc] }) {
			continue
		}
		r.MissingScopes = append(r.MissingScopes, req)
	}
	known := map[string]bool{}
	for _, l := range info.Locations {
		known[l.ID] = true
		wh, _ := s.Warehouse(l.ID)
		r.Locations = append(r.Locations, LocationMapping{Location: l, Warehouse: wh})
	}
	for id := range s.Locations {
		if !known[id] {
			r.UnknownMappings = append(r.UnknownMappings, id)
		}
	}
	slices.Sort(r.UnknownMappings)
	return r, nil
}
