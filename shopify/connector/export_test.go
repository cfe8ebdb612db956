package connector

// BulkProductsQueryForTest is the products export document, for tests that
// run the export themselves.
var BulkProductsQueryForTest = opBulkProducts
