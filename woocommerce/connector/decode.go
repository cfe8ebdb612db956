package connector

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/webhook"
	"github.com/wmsbridge/wmsbridge/wms"
	"github.com/wmsbridge/wmsbridge/woocommerce"
	"github.com/wmsbridge/wmsbridge/woocommerce/woowebhook"
)

// Decode translates a webhook event into a [wmssync.Change]. It does no
// I/O.
//
//   - order.created, order.updated, order.restored: a ChangeOrder with the
//     whole order (WooCommerce builds the payload when it sends it, so it
//     is the order as it was then); a checkout draft, which WooCommerce
//     leaks into order.updated, is ChangeNone.
//   - order.deleted (the order was trashed): a ChangeOrderDeleted; the
//     payload carries only the id.
//   - product.created, product.updated, product.restored: a ChangeProduct.
//     A simple product's payload is complete. A variable product's payload
//     lists only its variations' ids, and a variation's change arrives as
//     the variation (type "variation") under the product topics: both are
//     Partial changes of the parent product, which the engine then reads
//     whole with Products.
//   - product.deleted (trashed): a ChangeProductDeleted.
//   - other topics, and payloads that are WooCommerce error bodies (the
//     resource was gone when the delivery was built): ChangeNone.
//
// The version is the payload's date_modified_gmt (whole seconds) with the
// time the delivery was received as the tiebreaker: WooCommerce sends no
// trigger time, but it builds each payload when it sends it, one delivery
// after another, so a later delivery carries a state at least as new.
// Deletions carry the receipt time only. A payload that does not decode,
// or has no id, returns an error matching [wmssync.ErrInvalidPayload].
func (c *Connector) Decode(_ context.Context, e *webhook.Event) (wmssync.Change, error) {
	return decode(e, c.weightUnit())
}

// Decode is [Connector.Decode] of a connector with the default Config,
// without a connector.
func Decode(e *webhook.Event) (wmssync.Change, error) {
	return decode(e, weightUnit(DefaultWeightUnit))
}

func decode(e *webhook.Event, unit wms.WeightUnit) (wmssync.Change, error) {
	version := func(t woocommerce.Time) webhook.Version {
		return webhook.Version{UpdatedAt: t.Time, TriggeredAt: e.ReceivedAt}
	}
	var probe struct {
		ID   json.Number `json:"id"`
		Code string      `json:"code"`
	}
	if err := decodeBody(e, &probe); err != nil {
		return wmssync.Change{}, err
	}
	if probe.ID == "" && probe.Code != "" {
		return wmssync.Change{Kind: wmssync.ChangeNone}, nil // WooCommerce's error body: the resource was gone
	}
	id, err := probe.ID.Int64()
	if err != nil || id <= 0 {
		return wmssync.Change{}, invalid(e, "no id")
	}
	switch e.Topic {
	case woowebhook.TopicOrderCreated, woowebhook.TopicOrderUpdated, woowebhook.TopicOrderRestored:
		var o woocommerce.Order
		if err := decodeBody(e, &o); err != nil {
			return wmssync.Change{}, err
		}
		so, ok, err := toOrder(&o)
		if err != nil {
			return wmssync.Change{}, err
		}
		if !ok {
			return wmssync.Change{Kind: wmssync.ChangeNone}, nil
		}
		return wmssync.Change{Kind: wmssync.ChangeOrder, ID: so.ExternalID, Version: version(o.DateModifiedGMT), Order: &so}, nil
	case woowebhook.TopicOrderDeleted:
		return wmssync.Change{Kind: wmssync.ChangeOrderDeleted, ID: strconv.FormatInt(id, 10), Version: webhook.Version{TriggeredAt: e.ReceivedAt}}, nil
	case woowebhook.TopicProductCreated, woowebhook.TopicProductUpdated, woowebhook.TopicProductRestored:
		var p woocommerce.Product
		if err := decodeBody(e, &p); err != nil {
			return wmssync.Change{}, err
		}
		switch p.Type {
		case "variation":
			if p.ParentID <= 0 {
				return wmssync.Change{}, invalid(e, "variation without parent_id")
			}
			pid := strconv.FormatInt(p.ParentID, 10)
			return wmssync.Change{Kind: wmssync.ChangeProduct, ID: pid, Version: version(p.DateModifiedGMT),
				Product: &wmssync.Product{UpdatedAt: p.DateModifiedGMT.Time}, Partial: true}, nil
		case "variable":
			pid := strconv.FormatInt(p.ID, 10)
			sp := wmssync.Product{UpdatedAt: p.DateModifiedGMT.Time}
			sp.ExternalID = pid
			return wmssync.Change{Kind: wmssync.ChangeProduct, ID: pid, Version: version(p.DateModifiedGMT), Product: &sp, Partial: true}, nil
		}
		sp, ok := toProduct(p, nil, false, unit)
		if !ok {
			return wmssync.Change{Kind: wmssync.ChangeNone}, nil
		}
		return wmssync.Change{Kind: wmssync.ChangeProduct, ID: sp.ExternalID, Version: version(p.DateModifiedGMT), Product: &sp}, nil
	case woowebhook.TopicProductDeleted:
		return wmssync.Change{Kind: wmssync.ChangeProductDeleted, ID: strconv.FormatInt(id, 10), Version: webhook.Version{TriggeredAt: e.ReceivedAt}}, nil
	}
	return wmssync.Change{Kind: wmssync.ChangeNone}, nil
}

func decodeBody(e *webhook.Event, v any) error {
	if err := e.Decode(v); err != nil {
		return fmt.Errorf("%w: %w", wmssync.ErrInvalidPayload, err)
	}
	return nil
}

func invalid(e *webhook.Event, why string) error {
	return fmt.Errorf("%w: %s: %s", wmssync.ErrInvalidPayload, e.Topic, why)
}
