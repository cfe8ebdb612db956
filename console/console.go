package console

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	gosync "sync"
	"time"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/wms"
)

// WarehouseLister lists the WMS's warehouses, for the location mapping. A
// [wms.Backend] is one.
type WarehouseLister interface {
	Warehouses(ctx context.Context) ([]wms.Warehouse, error)
}

// Action is what a request to the console wants to do; [Config.Authorize]
// decides whether the signed-in user may.
type Action string

// The actions of the console. Every page is ActionView; each state change
// is one of the others.
const (
	// ActionView reads pages: shops, settings, reports, setup progress,
	// failures.
	ActionView Action = "view"
	// ActionConnect connects a shop: credentials are entered, or the shop
	// is asked for access.
	ActionConnect Action = "connect"
	// ActionConfigure tests a connection and saves a shop's settings.
	ActionConfigure Action = "configure"
	// ActionSetup runs, skips and stops setup steps.
	ActionSetup Action = "setup"
	// ActionOperate replays and discards failures, and starts stock
	// audits and full stock pushes.
	ActionOperate Action = "operate"
)

// ErrUnauthenticated is returned by an authorizer when no user is signed
// in: the console answers 401 instead of 403.
var ErrUnauthenticated = errors.New("console: not signed in")

// ErrNoAuth is returned by [New] when the Config has neither Authorize nor
// Middleware and is not a LocalDemo.
var ErrNoAuth = errors.New("console: no authentication: set Config.Authorize or Config.Middleware (or LocalDemo for a demo on this machine)")

// Config configures a [Console]. Engine and Warehouses are required, and
// one of Authorize, Middleware or LocalDemo.
type Config struct {
	// Engine is the sync engine the console shows and drives. Required.
	Engine *wmssync.Engine
	// Warehouses lists the WMS's warehouses for the location mapping
	// (usually the engine's wms.Backend). Required.
	Warehouses WarehouseLister

	// Authorize decides whether the request r may do action a on shop
	// ("" for pages about every shop). nil means allow everything, which
	// is only accepted with Middleware or LocalDemo. An error matching
	// ErrUnauthenticated answers 401, any other error 403 with the
	// error's text. It runs before every page and every state change.
	Authorize func(r *http.Request, shop string, a Action) error
	// Middleware wraps every console route, after the console's own
	// security headers and cross-origin check: the host's session or
	// single sign-on handler. Either Middleware or Authorize is required
	// unless LocalDemo is set.
	Middleware func(http.Handler) http.Handler
	// LocalDemo lets the console run without authentication for a demo
	// on this machine: it then answers only requests from loopback
	// addresses for a loopback host name (localhost, 127.0.0.1, [::1]).
	// Never set it in production.
	LocalDemo bool

	// BasePath is the path the host mounts the console under, such as
	// "/admin/wms" (default "": the root). The console answers requests
	// for BasePath and below and builds every link with it, so mount it
	// with mux.Handle(BasePath+"/", console) and no http.StripPrefix.
	BasePath string
	// Methods are the ways a merchant can connect a shop, shown on the
	// connect screen in order (see [Method] and [ShopifyToken]). Without
	// any, the connect screen says that the host connects shops itself.
	Methods []Method
	// Activity, if set, is shown as each shop's recent activity: pass
	// the same ActivityLog, as the engine's Config.Logger handler, to the
	// engine (see [NewActivityLog]).
	Activity *ActivityLog
	// Title names the console in its header and page titles (default
	// "wmsbridge").
	Title string
	// Logger receives the console's own logs (failed pages, refused
	// requests). Default: discard.
	Logger *slog.Logger
	// Now is the console's clock (default time.Now).
	Now func() time.Time
	// SampleInterval is how often the console reads each shop's API
	// budget for its chart (default DefaultSampleInterval; negative: never).
	SampleInterval time.Duration
}

// Console is the web console: an [http.Handler] with the setup screens and
// the operations view of one engine. Build it with [New]; call Close when
// done to stop the setup runs it started. It is safe for concurrent use.
type Console struct {
	cfg     Config
	eng     *wmssync.Engine
	base    string
	log     *slog.Logger
	now     func() time.Time
	pages   *pages
	handler http.Handler
	runs    *runner
	budgets budgets
	stop    context.CancelFunc
	done    chan struct{}

	mu      gosync.Mutex
	closed  bool
	methods map[string]Method
	// patterns are the routes of the pages and state changes, as
	// registered without BasePath ("GET /shops/{shop}"), for the tests.
	patterns []string
}

// New checks cfg and returns the console's handler. It refuses a Config
// without authentication ([ErrNoAuth]) unless LocalDemo is set.
func New(cfg Config) (*Console, error) {
	switch {
	case cfg.Engine == nil:
		return nil, errors.New("console: Config.Engine is required")
	case cfg.Warehouses == nil:
		return nil, errors.New("console: Config.Warehouses is required")
	case cfg.Authorize == nil && cfg.Middleware == nil && !cfg.LocalDemo:
		return nil, ErrNoAuth
	}
	base := strings.TrimRight(cfg.BasePath, "/")
	if base != "" && !strings.HasPrefix(base, "/") {
		return nil, fmt.Errorf("console: Config.BasePath %q must start with /", cfg.BasePath)
	}
	if cfg.Title == "" {
		cfg.Title = "wmsbridge"
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	c := &Console{cfg: cfg, eng: cfg.Engine, base: base, log: cfg.Logger, now: cfg.Now,
		methods: map[string]Method{}}
	// The methods with their defaults applied (a copy: the caller's slice
	// stays as it was).
	cfg.Methods = slices.Clone(cfg.Methods)
	for i := range cfg.Methods {
		m := &cfg.Methods[i]
		if err := m.check(); err != nil {
			return nil, fmt.Errorf("console: Config.Methods[%d]: %w", i, err)
		}
		if _, dup := c.methods[m.ID]; dup {
			return nil, fmt.Errorf("console: Config.Methods[%d]: duplicate id %q", i, m.ID)
		}
		c.methods[m.ID] = *m
	}
	c.cfg.Methods = cfg.Methods
	p, err := parsePages(base, cfg.Title)
	if err != nil {
		return nil, err
	}
	c.pages = p
	c.runs = newRunner(cfg.Engine, cfg.Logger)
	c.handler = c.routes()
	ctx, cancel := context.WithCancel(context.Background())
	c.stop, c.done = cancel, make(chan struct{})
	go func() {
		defer close(c.done)
		if cfg.SampleInterval >= 0 {
			c.runSampler(ctx, cmp.Or(cfg.SampleInterval, DefaultSampleInterval))
		}
	}()
	return c, nil
}

// ServeHTTP implements http.Handler.
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.handler.ServeHTTP(w, r)
}

// Close stops the setup runs the console started (they stay resumable:
// the next run continues from their checkpoints) and its sampling of the
// shops' API budgets, and waits for them.
func (c *Console) Close() error {
	c.mu.Lock()
	closed := c.closed
	c.closed = true
	c.mu.Unlock()
	if !closed {
		c.stop()
		<-c.done
	}
	c.runs.close()
	return nil
}

// routes builds the console's handler: security headers, then the
// cross-origin check, then the host's middleware, then the pages.
func (c *Console) routes() http.Handler {
	mux := http.NewServeMux()
	b := c.base
	handle := func(pattern string, a Action, h func(w http.ResponseWriter, r *http.Request)) {
		method, path, _ := strings.Cut(pattern, " ")
		c.patterns = append(c.patterns, pattern)
		mux.Handle(method+" "+b+path, c.authorized(a, http.HandlerFunc(h)))
	}
	mux.Handle("GET "+b+"/assets/", http.StripPrefix(b+"/assets/", assetHandler()))
	if b != "" {
		mux.Handle("GET "+b, http.RedirectHandler(b+"/", http.StatusMovedPermanently))
	}

	handle("GET /{$}", ActionView, c.overview)
	handle("GET /connect", ActionView, c.connectPage)
	handle("POST /connect/{method}", ActionConnect, c.connectSubmit)
	handle("GET /shops/{shop}", ActionView, c.shopPage)
	handle("GET /shops/{shop}/test", ActionView, c.testPage)
	handle("POST /shops/{shop}/scopes", ActionConnect, c.askScopes)
	handle("GET /shops/{shop}/settings", ActionView, c.settingsPage)
	handle("POST /shops/{shop}/settings", ActionConfigure, c.settingsSubmit)
	handle("GET /shops/{shop}/setup", ActionView, c.setupPage)
	handle("GET /shops/{shop}/setup/events", ActionView, c.setupEvents)
	handle("POST /shops/{shop}/setup/run", ActionSetup, c.setupRun)
	handle("POST /shops/{shop}/setup/stop", ActionSetup, c.setupStop)
	handle("POST /shops/{shop}/setup/{step}/skip", ActionSetup, c.setupSkip)
	handle("POST /shops/{shop}/failures/replay", ActionOperate, c.failureReplay)
	handle("POST /shops/{shop}/failures/discard", ActionOperate, c.failureDiscard)
	handle("POST /shops/{shop}/stock/audit", ActionOperate, c.stockAudit)
	handle("POST /shops/{shop}/stock/push", ActionOperate, c.stockPush)

	var h http.Handler = mux
	h = c.notFoundAware(h)
	if c.cfg.Middleware != nil {
		h = c.cfg.Middleware(h)
	}
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(c.crossOriginDenied))
	h = cop.Handler(h)
	if c.cfg.LocalDemo && c.cfg.Authorize == nil && c.cfg.Middleware == nil {
		h = localOnly(h)
	}
	return securityHeaders(h)
}

// authorized runs Config.Authorize for action a before h.
func (c *Console) authorized(a Action, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if c.cfg.Authorize != nil {
			if err := c.cfg.Authorize(r, r.PathValue("shop"), a); err != nil {
				status := http.StatusForbidden
				if errors.Is(err, ErrUnauthenticated) {
					status = http.StatusUnauthorized
				}
				c.log.LogAttrs(r.Context(), slog.LevelWarn, "console: request refused",
					slog.String("action", string(a)), slog.String("path", r.URL.Path), slog.Int("status", status))
				c.errorPage(w, r, status, err.Error())
				return
			}
		}
		h.ServeHTTP(w, r)
	})
}

// notFoundAware answers paths outside the console with a plain 404 (so a
// host's mux can fall through) and the rest with the console's pages.
func (c *Console) notFoundAware(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if c.base != "" && r.URL.Path != c.base && !strings.HasPrefix(r.URL.Path, c.base+"/") {
			http.NotFound(w, r)
			return
		}
		h.ServeHTTP(w, r)
	})
}
