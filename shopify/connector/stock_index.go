package connector

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/wmsbridge/wmsbridge/shopify"
	wmssync "github.com/wmsbridge/wmsbridge/sync"
)

// stockLookup gives the on-hand stock per location of an inventory item.
type stockLookup interface {
	levels(itemID string) []wmssync.LocationStock
}

// stockMap is a stockLookup held in memory (the paged path: one page).
type stockMap map[string][]wmssync.LocationStock

func (m stockMap) levels(itemID string) []wmssync.LocationStock { return m[itemID] }

// gqlLevel is an inventory level as the connector reads it.
type gqlLevel struct {
	Location struct {
		ID string `json:"id"`
	} `json:"location"`
	Quantities []struct {
		Name     string `json:"name"`
		Quantity int64  `json:"quantity"`
	} `json:"quantities"`
}

// itemGIDPrefix is how every inventory item GID starts.
const itemGIDPrefix = "gid://shopify/InventoryItem/"

// stockRecordSize is the size of one record of a stockIndex's file: the
// item's numeric id (8 bytes), the location's index (2) and the on-hand
// quantity (8).
const stockRecordSize = 18

// stockBlock is how many records one entry of the sparse index covers.
const stockBlock = 256

// stockIndex is the stock export of a whole shop, looked up by inventory
// item while the products export is read, in memory that does not grow
// with the shop: the levels are records on disk, sorted by item id, with
// one in-memory entry per 256 records. Shopify exports inventory items in
// increasing id order and writes each item's levels after it; when an
// export does not (or an id is not a numeric GID), the index holds
// everything in a map instead, which is always correct.
type stockIndex struct {
	locs   []string // location GIDs by index
	locIdx map[string]uint16

	f      *os.File
	path   string
	sparse []int64 // first item id of each block
	n      int     // records in the file

	blockAt  int // index of the cached block, -1 for none
	block    []byte
	fallback stockMap // set when the export is not in item order
}

// readStockExport reads a stock export (rows of inventory items, each
// followed by its levels, as connectorBulkStock writes them) into a
// stockIndex whose file is created in dir ("" for the system's).
func readStockExport(r io.Reader, dir string) (*stockIndex, error) {
	f, err := os.CreateTemp(dir, "wmsbridge-stock-*.bin")
	if err != nil {
		return nil, fmt.Errorf("shopify/connector: stock export spill file: %w", err)
	}
	x := &stockIndex{locIdx: map[string]uint16{}, f: f, path: f.Name(), blockAt: -1}
	if err := x.fill(r); err != nil {
		x.close()
		return nil, err
	}
	return x, nil
}

func (x *stockIndex) fill(r io.Reader) error {
	w := bufio.NewWriterSize(x.f, 64<<10)
	var (
		rec     [stockRecordSize]byte
		last    int64 = -1 // id of the last record written
		ordered       = true
		level   gqlLevel
	)
	for row, err := range shopify.BulkRows(r) {
		if err != nil {
			return fmt.Errorf("shopify/connector: read stock export: %w", err)
		}
		if row.IsRoot() {
			continue // the item itself: its id comes with its levels
		}
		level.Location.ID, level.Quantities = "", level.Quantities[:0]
		if err := row.Decode(&level); err != nil {
			return fmt.Errorf("shopify/connector: stock export line %d: %w", row.Line, err)
		}
		if level.Location.ID == "" {
			continue
		}
		for _, q := range level.Quantities {
			if q.Name != "on_hand" {
				continue
			}
			loc, ok := x.locIdx[level.Location.ID]
			if !ok {
				if len(x.locs) > 0xFFFF {
					return fmt.Errorf("shopify/connector: stock export: more than %d locations", 0xFFFF)
				}
				loc = uint16(len(x.locs))
				x.locs = append(x.locs, level.Location.ID)
				x.locIdx[level.Location.ID] = loc
			}
			id, numeric := numericItemID(row.ParentID)
			if ordered && (!numeric || id < last) {
				// Not in item order: keep everything in memory instead.
				ordered = false
				if err := w.Flush(); err != nil {
					return fmt.Errorf("shopify/connector: stock export spill file: %w", err)
				}
				if err := x.toMap(); err != nil {
					return err
				}
			}
			if !ordered {
				x.fallback[row.ParentID] = append(x.fallback[row.ParentID], wmssync.LocationStock{LocationID: x.locs[loc], OnHand: q.Quantity})
				continue
			}
			if x.n%stockBlock == 0 {
				x.sparse = append(x.sparse, id)
			}
			binary.LittleEndian.PutUint64(rec[0:8], uint64(id))
			binary.LittleEndian.PutUint16(rec[8:10], loc)
			binary.LittleEndian.PutUint64(rec[10:18], uint64(q.Quantity))
			if _, err := w.Write(rec[:]); err != nil {
				return fmt.Errorf("shopify/connector: stock export spill file: %w", err)
			}
			x.n++
			last = id
		}
	}
	if !ordered {
		return nil
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("shopify/connector: stock export spill file: %w", err)
	}
	return nil
}

// numericItemID returns the number of an inventory item GID written the
// way Shopify writes them (gid://shopify/InventoryItem/<decimal>).
func numericItemID(gid string) (int64, bool) {
	num, ok := strings.CutPrefix(gid, itemGIDPrefix)
	if !ok {
		return 0, false
	}
	id, err := strconv.ParseInt(num, 10, 64)
	if err != nil || id <= 0 || strconv.FormatInt(id, 10) != num {
		return 0, false
	}
	return id, true
}

// toMap moves the records written so far into the in-memory fallback.
func (x *stockIndex) toMap() error {
	x.fallback = stockMap{}
	var rec [stockRecordSize]byte
	for i := range x.n {
		if _, err := x.f.ReadAt(rec[:], int64(i)*stockRecordSize); err != nil {
			return fmt.Errorf("shopify/connector: stock export spill file: %w", err)
		}
		id := itemGIDPrefix + strconv.FormatInt(int64(binary.LittleEndian.Uint64(rec[0:8])), 10)
		x.fallback[id] = append(x.fallback[id], wmssync.LocationStock{
			LocationID: x.locs[binary.LittleEndian.Uint16(rec[8:10])],
			OnHand:     int64(binary.LittleEndian.Uint64(rec[10:18])),
		})
	}
	x.n, x.sparse = 0, nil
	return nil
}

// levels implements stockLookup. A read error of the spill file (which
// this process wrote a moment ago) reads as no stock for the item.
func (x *stockIndex) levels(itemID string) []wmssync.LocationStock {
	if x.fallback != nil {
		return x.fallback[itemID]
	}
	id, ok := numericItemID(itemID)
	if !ok || x.n == 0 {
		return nil
	}
	// The last block whose first id is at most id; an item's levels can
	// start in the block before (when a block begins inside them).
	b := sort.Search(len(x.sparse), func(i int) bool { return x.sparse[i] > id }) - 1
	if b < 0 {
		return nil
	}
	for b > 0 && x.sparse[b] == id {
		b--
	}
	var out []wmssync.LocationStock
	for ; b < len(x.sparse); b++ {
		blk, err := x.load(b)
		if err != nil {
			return nil
		}
		for off := 0; off+stockRecordSize <= len(blk); off += stockRecordSize {
			rid := int64(binary.LittleEndian.Uint64(blk[off : off+8]))
			switch {
			case rid < id:
				continue
			case rid > id:
				return out
			}
			out = append(out, wmssync.LocationStock{
				LocationID: x.locs[binary.LittleEndian.Uint16(blk[off+8:off+10])],
				OnHand:     int64(binary.LittleEndian.Uint64(blk[off+10 : off+18])),
			})
		}
	}
	return out
}

// load returns block b of the file, reading it unless it is the cached one.
func (x *stockIndex) load(b int) ([]byte, error) {
	if x.blockAt == b {
		return x.block, nil
	}
	start := int64(b) * stockBlock
	n := min(stockBlock, x.n-int(start))
	if cap(x.block) < stockBlock*stockRecordSize {
		x.block = make([]byte, stockBlock*stockRecordSize)
	}
	x.block = x.block[:n*stockRecordSize]
	if _, err := x.f.ReadAt(x.block, start*stockRecordSize); err != nil && !errors.Is(err, io.EOF) {
		x.blockAt = -1
		return nil, err
	}
	x.blockAt = b
	return x.block, nil
}

// close removes the spill file.
func (x *stockIndex) close() {
	if x == nil || x.f == nil {
		return
	}
	x.f.Close()
	os.Remove(x.path)
	x.f = nil
}
