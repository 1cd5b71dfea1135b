import PayHubCore
@testable import PayHubServer
import SQLKit
import XCTest

/// `PaymentRepository` reads only within the scope it is given, and reads stored values strictly.
final class PaymentRepositoryTests: XCTestCase {
    func testReadsStayInTheirScopeAndAnUnknownStoredStatusIsAnError() async throws {
        try await withEachDatabase { hub in
            let created = try await hub.request(.POST, "/v1/payment_intents", json: ["amount": 1000, "currency": "EUR"])
            let id = try PaymentIntentID(parsing: created.id)
            let scope = TenantScope(merchantID: hub.merchant.id, livemode: false)
            let repository = PaymentRepository()
            let reader = hub.context.transactor.reader(hub.app.db)

            let found = try await repository.payment(id, in: scope, on: reader)
            XCTAssertEqual(found?.intent.intent.status, .requiresPaymentMethod)
            XCTAssertEqual(found?.intent.intent.amount.minorUnits, 1000)
            let liveMode = try await repository.payment(id, in: TenantScope(merchantID: hub.merchant.id, livemode: true), on: reader)
            XCTAssertNil(liveMode, "the same merchant's other mode does not see it")
            let otherMerchant = try await repository.payment(id, in: TenantScope(merchantID: "acct_other", livemode: false), on: reader)
            XCTAssertNil(otherMerchant, "another merchant does not see it")

            try await hub.context.transactor.writeSQL(on: hub.app.db) { tx in
                try await tx.raw("UPDATE payment_intents SET status = \(bind: "mystery") WHERE id = \(bind: id.rawValue)").run()
            }
            do {
                _ = try await repository.intent(id, in: scope, on: reader)
                XCTFail("an unknown status was read")
            } catch let error as StoredValueInvalid {
                XCTAssertEqual(error.column, "status")
            }
        }
    }
}
