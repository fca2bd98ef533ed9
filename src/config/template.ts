/** The commented koppel.yaml that `koppel init` writes. It must always validate (tested). */
export function configTemplate(schemaRef: string): string {
  return `# yaml-language-server: $schema=${schemaRef}
#
# Koppel configuration. Every setting has a default; remove the "#" to change one.
# Secrets are never written here: use \${env:NAME} and set NAME in the environment.
# Check this file with: npx koppel doctor

# Where Koppel keeps its SQLite database and state (env: KOPPEL_DATA_DIR).
# dataDir: ./data

server:
  # HTTP port of the dashboard, JSON API and webhook receivers (env: PORT).
  port: 8080
  # 127.0.0.1 keeps Koppel private to this machine; use 0.0.0.0 to expose it (behind TLS).
  host: 127.0.0.1
  # Public https URL under which CCV and Shopify can deliver webhooks.
  # publicUrl: https://koppel.example.nl

# database:
#   SQLite file (default <dataDir>/koppel.db) or PostgreSQL for scale-out (env: KOPPEL_DATABASE_URL):
#   url: postgres://koppel:\${env:KOPPEL_DB_PASSWORD}@db.internal:5432/koppel

log:
  level: info

# Leave a connection out to use the built-in sandbox for that side.
connections: {}
#  ccv:
#    baseUrl: https://mijnwinkel.ccvshop.nl
#    publicKey: your-public-key
#    secretKey: \${env:CCV_SECRET_KEY}
#    mediaType: salespos          # or webshop
#  shopify:
#    shop: mijnwinkel.myshopify.com
#    apiVersion: "2026-10"
#    # either a static admin token ...
#    accessToken: \${env:SHOPIFY_ACCESS_TOKEN}
#    # ... or a Dev Dashboard app (client-credentials grant):
#    # clientId: your-client-id
#    # clientSecret: \${env:SHOPIFY_CLIENT_SECRET}

flows:
  # CCV -> Shopify, matched by SKU (docs/products.md).
  products:
    enabled: false
    # schedule: "*/15 * * * *"       # delta runs; CCV product webhooks trigger runs in between
    # reconcile: "0 3 * * *"         # full comparison
    # publishTo: [Online Store]
    # fields:                        # per Shopify field: a source path, value or JSONata expr, and a policy
    #   descriptionHtml: { policy: create_only }          # keep a description edited in Shopify
    #   title: { policy: keep_target_changes }
    #   productType: { from: extra.type, transform: [{ default: Overig }] }
    # skuSources: [sku_number, product_number, productnumber]
    # taxTariffs: { extra low: 9 }
    # bulkThreshold: 200
  # CCV categories -> Shopify collections ("Heren > Shirts").
  categories:
    enabled: false
  # CCV stock -> Shopify available quantities, in seconds (docs/stock.md).
  stock:
    enabled: false
    # Shopify location that receives CCV stock (default: the first active location).
    # location: Winkel Utrecht
    # formula: onHand - reserved - buffer
    # safetyBuffer: 0
    # conflictPolicy: ccv_wins       # or shopify_wins, report_only
    # trackInventory: false
    # sweep: { share: 0.25 }         # share of the CCV GET budget the background sweep may use
  customers:
    enabled: false
  orders:
    enabled: false

# Demo data for the built-in sandboxes (used for every connection left out above).
# sandbox:
#   seed: 1
#   products: 500
#   ccvPort: 4100
#   shopifyPort: 4200
`;
}
