package sync

// The barcode mark kinds, for the pruning tests in package sync_test.
const (
	KindBarcodeSentForTest = kindBarcodeSent
	KindBarcodeShopForTest = kindBarcodeShop
)
