package wootest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// dateLayout is how WooCommerce writes dates.
const dateLayout = "2006-01-02T15:04:05"

// restError is an answer in WordPress's error shape.
type restError struct {
	status int
	code   string
	msg    string
	data   map[string]any // extra keys of data
}

func (e *restError) body() map[string]any {
	data := map[string]any{"status": e.status}
	for k, v := range e.data {
		data[k] = v
	}
	return map[string]any{"code": e.code, "message": e.msg, "data": data}
}

func errorf(status int, code, format string, args ...any) *restError {
	return &restError{status: status, code: code, msg: fmt.Sprintf(format, args...)}
}

// reqCtx is one REST request on its way through the store.
type reqCtx struct {
	s      *Store
	w      http.ResponseWriter
	r      *http.Request
	method string
	route  string
	params map[string]string // route parameters (id, product_id, order_id)
	query  url.Values
	body   map[string]any
	raw    []byte
	user   *apiKey // nil when unauthenticated
	header http.Header
}

// action is what a permission check is about, for its error.
type action int

const (
	actList action = iota
	actView
	actCreate
	actEdit
	actDelete
	actBatch
)

// permission returns the error WooCommerce's permission callbacks give
// when the request has no user who may manage the store, or nil.
func (rc *reqCtx) permission(a action) *restError {
	if rc.user != nil && rc.user.manager {
		return nil
	}
	status := http.StatusUnauthorized
	if rc.user != nil {
		status = http.StatusForbidden
	}
	switch a {
	case actList:
		return errorf(status, "woocommerce_rest_cannot_view", "Sorry, you cannot list resources.")
	case actView:
		return errorf(status, "woocommerce_rest_cannot_view", "Sorry, you cannot view this resource.")
	case actCreate:
		return errorf(status, "woocommerce_rest_cannot_create", "Sorry, you are not allowed to create resources.")
	case actEdit:
		return errorf(status, "woocommerce_rest_cannot_edit", "Sorry, you are not allowed to edit this resource.")
	case actDelete:
		return errorf(status, "woocommerce_rest_cannot_delete", "Sorry, you are not allowed to delete this resource.")
	default:
		return errorf(status, "woocommerce_rest_cannot_batch", "Sorry, you are not allowed to batch manipulate this resource.")
	}
}

// writeJSON writes v with status as WordPress does.
func (rc *reqCtx) writeJSON(status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b, _ = json.Marshal((&restError{status: 500, code: "wootest_encode", msg: err.Error()}).body())
	}
	h := rc.w.Header()
	for k, vs := range rc.header {
		h[k] = vs
	}
	h.Set("Content-Type", "application/json; charset=UTF-8")
	h.Set("X-Robots-Tag", "noindex")
	h.Set("X-Content-Type-Options", "nosniff")
	rc.w.WriteHeader(status)
	_, _ = rc.w.Write(b)
}

func (rc *reqCtx) fail(e *restError) { rc.writeJSON(e.status, e.body()) }

// view answers one object that fn reads under the store's read lock.
func (rc *reqCtx) view(fn func() (map[string]any, *restError)) {
	if e := rc.permission(actView); e != nil {
		rc.fail(e)
		return
	}
	rc.s.mu.RLock()
	m, e := fn()
	rc.s.mu.RUnlock()
	if e != nil {
		rc.fail(e)
		return
	}
	rc.writeObject(http.StatusOK, m)
}

// change answers one object that fn writes under the store's lock, with
// status (200, or 201 for a create).
func (rc *reqCtx) change(a action, status int, fn func() (map[string]any, *restError)) {
	if e := rc.permission(a); e != nil {
		rc.fail(e)
		return
	}
	rc.s.mu.Lock()
	m, e := fn()
	if e == nil {
		rc.s.counters.Writes++
	}
	rc.s.mu.Unlock()
	if e != nil {
		rc.fail(e)
		return
	}
	rc.writeObject(status, m)
}

// force reads the force parameter of a DELETE.
func (rc *reqCtx) force() bool {
	f, _ := parseBool(rc.query.Get("force"))
	if v, ok, _ := bodyBool(rc.body, "force"); ok {
		f = v
	}
	return f
}

// created sets the Location header of a created object.
func (rc *reqCtx) created(path string) { rc.header.Set("Location", rc.s.URL()+"/wp-json/wc/v3/"+path) }

// serve handles one REST request for route (below /wp-json).
func (s *Store) serve(w http.ResponseWriter, r *http.Request, route string) {
	s.mu.Lock()
	s.counters.Requests++
	s.mu.Unlock()
	if f := s.srv.faults.pick(s.name, r.Method); f != nil {
		s.mu.Lock()
		s.counters.Faults++
		s.mu.Unlock()
		if served := serveFault(w, r, f); served {
			return
		}
		if f.Kind == FaultGarbage {
			w = &garbageWriter{ResponseWriter: w}
		}
	}
	if s.hostLimiter != nil && !s.hostLimiter.Allow() {
		s.mu.Lock()
		s.counters.Throttled++
		s.mu.Unlock()
		w.Header().Set("Retry-After", "1")
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = io.WriteString(w, "<html><head><title>429 Too Many Requests</title></head><body><h1>Too Many Requests</h1></body></html>")
		return
	}
	rc := &reqCtx{s: s, w: w, r: r, method: r.Method, route: route, query: r.URL.Query(), header: http.Header{}}
	rc.query.Del("rest_route")
	if r.Method == http.MethodPost && r.Header.Get("X-HTTP-Method-Override") != "" {
		rc.method = strings.ToUpper(r.Header.Get("X-HTTP-Method-Override"))
	}
	if e := rc.authenticate(); e != nil {
		if e.code == "woocommerce_rest_authentication_error" && e.msg == "Consumer secret is invalid." {
			rc.header.Set("WWW-Authenticate", `Basic realm="WooCommerce API. Use a consumer key in the username field and a consumer secret in the password field."`)
		}
		rc.fail(e)
		return
	}
	if r.Body != nil && (rc.method == http.MethodPost || rc.method == http.MethodPut || rc.method == http.MethodPatch || rc.method == http.MethodDelete) {
		raw, _ := io.ReadAll(io.LimitReader(r.Body, 32<<20))
		rc.raw = raw
		if t := bytes.TrimSpace(raw); len(t) > 0 {
			d := json.NewDecoder(bytes.NewReader(t))
			d.UseNumber() // ids above 2^53 must not pass through a float64
			if err := d.Decode(&rc.body); err != nil {
				rc.fail(errorf(400, "rest_invalid_json", "Invalid JSON body passed."))
				return
			}
		}
	}
	if rc.body == nil {
		rc.body = map[string]any{}
	}
	h := s.route(rc)
	if h == nil {
		rc.fail(errorf(404, "rest_no_route", "No route was found matching the URL and request method"))
		return
	}
	h(rc)
}

// authenticate applies WooCommerce's key checks: query parameters win over
// Basic auth; an unknown key leaves the request unauthenticated; a wrong
// secret and a key without the method's permission are 401s; since 11.1 a
// key is refused outside the wc/ namespaces.
func (rc *reqCtx) authenticate() *restError {
	ck, cs := rc.query.Get("consumer_key"), rc.query.Get("consumer_secret")
	if ck == "" || cs == "" {
		var ok bool
		ck, cs, ok = rc.r.BasicAuth()
		if !ok {
			return nil
		}
	}
	rc.s.mu.RLock()
	k := rc.s.keys[ck]
	rc.s.mu.RUnlock()
	if k == nil {
		return nil
	}
	if k.cs != cs {
		return errorf(401, "woocommerce_rest_authentication_error", "Consumer secret is invalid.")
	}
	switch rc.method {
	case http.MethodGet, http.MethodHead:
		if k.permission != Read && k.permission != ReadWrite {
			return errorf(401, "woocommerce_rest_authentication_error", "The API key provided does not have read permissions.")
		}
	case http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
		if k.permission != Write && k.permission != ReadWrite {
			return errorf(401, "woocommerce_rest_authentication_error", "The API key provided does not have write permissions.")
		}
	case http.MethodOptions:
	default:
		return errorf(401, "woocommerce_rest_authentication_error", "Unknown request method.")
	}
	if !strings.HasPrefix(rc.route, "/wc/") && !strings.HasPrefix(rc.route, "/wc-") {
		return errorf(401, "woocommerce_rest_authentication_error", "The provided API key cannot be used to access this endpoint.")
	}
	rc.user = k
	return nil
}

// handler serves a matched route.
type handler func(rc *reqCtx)

var idRe = regexp.MustCompile(`^[0-9]+$`)

// route matches rc.route and rc.method to a handler and fills rc.params.
func (s *Store) route(rc *reqCtx) handler {
	p := strings.Split(strings.Trim(rc.route, "/"), "/")
	m := rc.method
	read := m == http.MethodGet || m == http.MethodHead
	edit := m == http.MethodPost || m == http.MethodPut || m == http.MethodPatch
	rc.params = map[string]string{}
	id := func(i, name string) bool {
		if !idRe.MatchString(i) {
			return false
		}
		rc.params[name] = i
		return true
	}
	if len(p) == 1 && p[0] == "" {
		if read {
			return s.handleIndex
		}
		return nil
	}
	if len(p) < 2 || p[0] != "wc" || p[1] != "v3" {
		return nil
	}
	p = p[2:]
	switch {
	case len(p) == 0 && read:
		return s.handleNamespace
	case len(p) == 0:
		return nil
	}
	switch p[0] {
	case "products":
		switch {
		case len(p) == 1 && read:
			return s.listProducts
		case len(p) == 1 && m == http.MethodPost:
			return s.createProduct
		case len(p) == 2 && p[1] == "batch" && edit:
			return s.batchProducts
		case len(p) == 2 && id(p[1], "id"):
			switch {
			case read:
				return s.getProduct
			case edit:
				return s.updateProduct
			case m == http.MethodDelete:
				return s.deleteProduct
			}
		case len(p) >= 3 && p[2] == "variations" && id(p[1], "product_id"):
			switch {
			case len(p) == 3 && read:
				return s.listVariations
			case len(p) == 3 && m == http.MethodPost:
				return s.createVariation
			case len(p) == 4 && p[3] == "batch" && edit:
				return s.batchVariations
			case len(p) == 4 && id(p[3], "id"):
				switch {
				case read:
					return s.getVariation
				case edit:
					return s.updateVariation
				case m == http.MethodDelete:
					return s.deleteVariation
				}
			}
		}
	case "variations":
		if len(p) == 1 && read && versionAtLeast(s.cfg.version, 10, 3) {
			return s.listAllVariations
		}
	case "orders":
		switch {
		case len(p) == 1 && read:
			return s.listOrders
		case len(p) == 1 && m == http.MethodPost:
			return s.createOrder
		case len(p) == 2 && p[1] == "batch" && edit:
			return s.batchOrders
		case len(p) == 2 && id(p[1], "id"):
			switch {
			case read:
				return s.getOrder
			case edit:
				return s.updateOrder
			case m == http.MethodDelete:
				return s.deleteOrder
			}
		case len(p) >= 3 && id(p[1], "order_id"):
			switch p[2] {
			case "refunds":
				switch {
				case len(p) == 3 && read:
					return s.listRefunds
				case len(p) == 3 && m == http.MethodPost:
					return s.createRefund
				case len(p) == 4 && id(p[3], "id") && read:
					return s.getRefund
				case len(p) == 4 && id(p[3], "id") && m == http.MethodDelete:
					return s.deleteRefund
				}
			case "notes":
				switch {
				case len(p) == 3 && read:
					return s.listNotes
				case len(p) == 3 && m == http.MethodPost:
					return s.createNote
				case len(p) == 4 && id(p[3], "id") && read:
					return s.getNote
				case len(p) == 4 && id(p[3], "id") && m == http.MethodDelete:
					return s.deleteNote
				}
			case "fulfillments":
				if !s.cfg.fulfillments {
					return nil
				}
				switch {
				case len(p) == 3 && read:
					return s.listFulfillments
				case len(p) == 3 && m == http.MethodPost:
					return s.createFulfillment
				}
			}
		}
	case "webhooks":
		switch {
		case len(p) == 1 && read:
			return s.listWebhooks
		case len(p) == 1 && m == http.MethodPost:
			return s.createWebhook
		case len(p) == 2 && p[1] == "batch" && edit:
			return s.batchWebhooks
		case len(p) == 2 && id(p[1], "id"):
			switch {
			case read:
				return s.getWebhook
			case edit:
				return s.updateWebhook
			case m == http.MethodDelete:
				return s.deleteWebhook
			}
		}
	case "settings":
		if len(p) == 2 && p[1] == "general" && read {
			return s.handleGeneralSettings
		}
	}
	return nil
}

func versionAtLeast(v string, major, minor int) bool {
	parts := strings.SplitN(v, ".", 3)
	if len(parts) < 2 {
		return false
	}
	ma, _ := strconv.Atoi(parts[0])
	mi, _ := strconv.Atoi(parts[1])
	return ma > major || ma == major && mi >= minor
}

func (rc *reqCtx) paramID(name string) int64 {
	n, _ := strconv.ParseInt(rc.params[name], 10, 64)
	return n
}

// paramErrors collects invalid parameters into one rest_invalid_param.
type paramErrors struct {
	names   []string
	params  map[string]any
	details map[string]any
}

func (pe *paramErrors) add(name, code, msg string) {
	if pe.params == nil {
		pe.params, pe.details = map[string]any{}, map[string]any{}
	}
	if _, dup := pe.params[name]; dup {
		return
	}
	pe.names = append(pe.names, name)
	pe.params[name] = msg
	pe.details[name] = map[string]any{"code": code, "message": msg, "data": nil}
}

func (pe *paramErrors) err() *restError {
	if len(pe.names) == 0 {
		return nil
	}
	return &restError{status: 400, code: "rest_invalid_param",
		msg:  "Invalid parameter(s): " + strings.Join(pe.names, ", "),
		data: map[string]any{"params": pe.params, "details": pe.details}}
}

// listQuery is a validated collection query.
type listQuery struct {
	page, perPage, offset int
	order                 string // asc or desc
	orderby               string
	include, exclude      []int64
	search                string
	after, before         *dateBound
	modAfter, modBefore   *dateBound
	gmt                   bool
	fields                []string
}

// dateBound is a date filter as WordPress compares it: the wall-clock
// text, compared with the GMT or the local column.
type dateBound struct{ wall time.Time }

var wpDateRe = regexp.MustCompile(`^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}(:\d{2})?)?$`)

// parseListQuery validates the collection parameters WooCommerce's CRUD
// controllers share. orderbys are the accepted orderby values; the first is
// the default.
func (rc *reqCtx) parseListQuery(pe *paramErrors, orderbys ...string) listQuery {
	q := listQuery{page: 1, perPage: 10, order: "desc", orderby: orderbys[0]}
	intParam := func(name string, min, max int, dst *int) {
		v := rc.query.Get(name)
		if v == "" {
			return
		}
		n, err := strconv.Atoi(v)
		switch {
		case err != nil:
			pe.add(name, "rest_invalid_type", name+" is not of type integer.")
		case max > 0 && (n < min || n > max):
			pe.add(name, "rest_out_of_bounds", fmt.Sprintf("%s must be between %d (inclusive) and %d (inclusive)", name, min, max))
		case n < min:
			pe.add(name, "rest_out_of_bounds", fmt.Sprintf("%s must be greater than or equal to %d", name, min))
		default:
			*dst = n
		}
	}
	intParam("page", 1, 0, &q.page)
	intParam("per_page", 1, 100, &q.perPage)
	intParam("offset", 0, 0, &q.offset)
	if v := rc.query.Get("order"); v != "" {
		if v != "asc" && v != "desc" {
			pe.add("order", "rest_not_in_enum", "order is not one of asc and desc.")
		} else {
			q.order = v
		}
	}
	if v := rc.query.Get("orderby"); v != "" {
		if !slices.Contains(orderbys, v) {
			pe.add("orderby", "rest_not_in_enum", "orderby is not one of "+strings.Join(orderbys, ", ")+".")
		} else {
			q.orderby = v
		}
	}
	q.include = rc.idList(pe, "include")
	q.exclude = rc.idList(pe, "exclude")
	q.search = rc.query.Get("search")
	q.after = rc.dateParam(pe, "after")
	q.before = rc.dateParam(pe, "before")
	q.modAfter = rc.dateParam(pe, "modified_after")
	q.modBefore = rc.dateParam(pe, "modified_before")
	if v := rc.query.Get("dates_are_gmt"); v != "" {
		b, ok := parseBool(v)
		if !ok {
			pe.add("dates_are_gmt", "rest_invalid_type", "dates_are_gmt is not of type boolean.")
		}
		q.gmt = b
	}
	if v := rc.query.Get("_fields"); v != "" {
		for f := range strings.SplitSeq(v, ",") {
			if f = strings.TrimSpace(f); f != "" {
				q.fields = append(q.fields, f)
			}
		}
	}
	return q
}

func parseBool(v string) (bool, bool) {
	switch strings.ToLower(v) {
	case "1", "true":
		return true, true
	case "0", "false", "":
		return false, true
	}
	return false, false
}

func (rc *reqCtx) idList(pe *paramErrors, name string) []int64 {
	vals := rc.query[name]
	if len(vals) == 0 {
		vals = rc.query[name+"[]"]
	}
	var out []int64
	for _, v := range vals {
		for part := range strings.SplitSeq(v, ",") {
			part = strings.TrimSpace(part)
			if part == "" {
				continue
			}
			n, err := strconv.ParseInt(part, 10, 64)
			if err != nil || n < 0 {
				pe.add(name, "rest_invalid_type", name+"[0] is not of type integer.")
				return nil
			}
			out = append(out, n)
		}
	}
	return out
}

// dateParam reads a date-time parameter. WordPress compares its wall-clock
// text with the column, ignoring any zone suffix.
func (rc *reqCtx) dateParam(pe *paramErrors, name string) *dateBound {
	v := rc.query.Get(name)
	if v == "" {
		return nil
	}
	m := wpDateRe.FindStringSubmatch(v)
	if m == nil {
		pe.add(name, "rest_invalid_date", "Invalid date.")
		return nil
	}
	t, err := time.Parse(dateLayout, v[:19])
	if err != nil {
		pe.add(name, "rest_invalid_date", "Invalid date.")
		return nil
	}
	return &dateBound{wall: t}
}

// column returns t as the column the filter compares: GMT or site-local
// wall clock.
func (s *Store) column(t time.Time, gmt bool) time.Time {
	if gmt {
		return t.UTC()
	}
	l := t.In(s.cfg.timezone)
	return time.Date(l.Year(), l.Month(), l.Day(), l.Hour(), l.Minute(), l.Second(), 0, time.UTC)
}

// dateMatch applies after/before and modified_after/modified_before
// (exclusive, one-second resolution).
func (s *Store) dateMatch(q *listQuery, created, modified time.Time) bool {
	check := func(b *dateBound, t time.Time, after bool) bool {
		if b == nil {
			return true
		}
		c := s.column(t, q.gmt)
		if after {
			return c.After(b.wall)
		}
		return c.Before(b.wall)
	}
	return check(q.after, created, true) && check(q.before, created, false) &&
		check(q.modAfter, modified, true) && check(q.modBefore, modified, false)
}

// pageOf sorts items by q and returns the requested page and the total.
// Items that come in the requested order (by id, as the stores keep them)
// are not sorted again.
func pageOf[T any](q listQuery, items []T, key func(T) sortable) (page []T, total int) {
	keys := make([]sortable, len(items))
	for i, it := range items {
		keys[i] = key(it)
	}
	cmp := sortCmp(q)
	perm := make([]int, len(items))
	sorted := true
	for i := range perm {
		perm[i] = i
		if i > 0 && cmp(&keys[i-1], &keys[i]) > 0 {
			sorted = false
		}
	}
	if !sorted {
		slices.SortFunc(perm, func(a, b int) int { return cmp(&keys[a], &keys[b]) })
	}
	start := (q.page - 1) * q.perPage
	if q.offset > 0 {
		start = q.offset
	}
	for i := start; i < len(perm) && i < start+q.perPage; i++ {
		page = append(page, items[perm[i]])
	}
	return page, len(items)
}

// writeList answers one page of a collection with WooCommerce's paging
// headers: X-WP-Total, X-WP-TotalPages and Link with prev and next only,
// built from the request URL.
func (rc *reqCtx) writeList(q listQuery, total int, page []map[string]any) {
	totalPages := (total + q.perPage - 1) / q.perPage
	rc.header.Set("X-WP-Total", strconv.Itoa(total))
	rc.header.Set("X-WP-TotalPages", strconv.Itoa(totalPages))
	base := requestURL(rc.r)
	link := func(p int, rel string) {
		u := *base
		qq := u.Query()
		qq.Set("page", strconv.Itoa(p))
		u.RawQuery = qq.Encode()
		rc.header.Add("Link", "<"+u.String()+`>; rel="`+rel+`"`)
	}
	if q.page > 1 {
		link(min(q.page-1, max(totalPages, 1)), "prev")
	}
	if q.page < totalPages {
		link(q.page+1, "next")
	}
	out := make([]map[string]any, 0, len(page))
	for _, it := range page {
		out = append(out, pickFields(it, q.fields))
	}
	rc.writeJSON(http.StatusOK, out)
}

// pickFields applies _fields (top-level keys; "a.b" keeps a; id is kept).
func pickFields(m map[string]any, fields []string) map[string]any {
	if len(fields) == 0 {
		return m
	}
	out := map[string]any{}
	for _, f := range fields {
		k, _, _ := strings.Cut(f, ".")
		if v, ok := m[k]; ok {
			out[k] = v
		}
	}
	if v, ok := m["id"]; ok {
		out["id"] = v
	}
	return out
}

// fieldsOf reads _fields of a single-object request.
func (rc *reqCtx) fieldsOf() []string {
	var fs []string
	if v := rc.query.Get("_fields"); v != "" {
		for f := range strings.SplitSeq(v, ",") {
			if f = strings.TrimSpace(f); f != "" {
				fs = append(fs, f)
			}
		}
	}
	return fs
}

// writeObject answers one object, applying _fields.
func (rc *reqCtx) writeObject(status int, m map[string]any) {
	rc.writeJSON(status, pickFields(m, rc.fieldsOf()))
}

// sortable holds what collections sort by.
type sortable struct {
	id       int64
	created  time.Time
	modified time.Time
	title    string
	slug     string
	menu     int
}

// sortCmp returns the order of q: its orderby, then the id (WooCommerce's
// tiebreaker), reversed for desc.
func sortCmp(q listQuery) func(a, b *sortable) int {
	return func(a, b *sortable) int {
		var c int
		switch q.orderby {
		case "id":
		case "include":
			if len(q.include) > 0 {
				return slices.Index(q.include, a.id) - slices.Index(q.include, b.id)
			}
		case "modified":
			c = a.modified.Compare(b.modified)
		case "title", "name":
			c = strings.Compare(strings.ToLower(a.title), strings.ToLower(b.title))
		case "slug":
			c = strings.Compare(a.slug, b.slug)
		case "menu_order":
			c = a.menu - b.menu
		default: // date
			c = a.created.Compare(b.created)
		}
		if c == 0 {
			c = cmpInt(a.id, b.id)
		}
		if q.order == "desc" {
			c = -c
		}
		return c
	}
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// dates returns the four date fields of an object.
func (s *Store) dates(m map[string]any, prefix string, t time.Time) {
	if t.IsZero() {
		m[prefix] = nil
		m[prefix+"_gmt"] = nil
		return
	}
	m[prefix] = t.In(s.cfg.timezone).Format(dateLayout)
	m[prefix+"_gmt"] = t.UTC().Format(dateLayout)
}

// links returns WooCommerce's _links for an object.
func (s *Store) links(self, collection string, up string) map[string]any {
	base := s.URL() + "/wp-json/wc/v3/"
	l := map[string]any{
		"self":       []any{map[string]any{"href": base + self}},
		"collection": []any{map[string]any{"href": base + collection}},
	}
	if up != "" {
		l["up"] = []any{map[string]any{"href": base + up}}
	}
	return l
}
