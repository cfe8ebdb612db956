// Package sync is the sync engine: it connects web shops to a warehouse
// management system (WMS). Import it under another name, since it shadows
// the standard library's sync:
//
//	import wmssync "github.com/wmsbridge/wmsbridge/sync"
//
// (The user guide is being written; see Engine, Connector and Store.)
package sync
