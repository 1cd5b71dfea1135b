import PayHubCore
import XCTest

final class CheckoutPageStepTests: XCTestCase {
    private let declined = PaymentFailure(kind: .cardError, code: "card_declined", declineCode: "generic_decline", message: "Declined.")

    func testEveryCombinationOfSessionAndIntentHasOneStep() {
        let actions: [NextAction?] = [
            nil, .redirectToURL(url: "https://bank.example/3ds", returnURL: nil), .otp(message: "code"), .ussd(message: "dial"),
            .displayQRCode(data: "qr"),
            .displayBankTransferInstructions(BankTransferInstructions(reference: "R", accountHolder: "H", iban: "IT60", bic: "B")),
        ]
        for session in CheckoutSessionStatus.allCases {
            for intent in PaymentIntentStatus.allCases {
                for action in actions {
                    let step = CheckoutPageStep.of(session: session, intent: intent, nextAction: action, lastFailure: declined)
                    if session == .complete || intent == .succeeded || intent == .requiresCapture {
                        XCTAssertEqual(step, .succeeded, "\(session) \(intent)")
                    } else if session == .expired || intent == .canceled {
                        XCTAssertEqual(step, .expired, "\(session) \(intent)")
                    } else {
                        XCTAssertFalse(step.isFinal, "\(session) \(intent)")
                    }
                    XCTAssertEqual(step.acceptsPayment, session == .open && intent == .requiresPaymentMethod, "\(session) \(intent)")
                }
            }
        }
    }

    func testAnOpenSessionShowsWhatItsIntentWaitsFor() {
        XCTAssertEqual(CheckoutPageStep.of(session: .open, intent: .requiresPaymentMethod, nextAction: nil, lastFailure: nil), .choose(lastFailure: nil))
        XCTAssertEqual(
            CheckoutPageStep.of(session: .open, intent: .requiresPaymentMethod, nextAction: nil, lastFailure: declined),
            .choose(lastFailure: declined))
        XCTAssertEqual(
            CheckoutPageStep.of(
                session: .open, intent: .requiresAction, nextAction: .redirectToURL(url: "https://p.example/x", returnURL: "r"), lastFailure: nil),
            .handOff(url: "https://p.example/x"))
        XCTAssertEqual(
            CheckoutPageStep.of(session: .open, intent: .requiresAction, nextAction: .otp(message: "m"), lastFailure: nil),
            .inPage(.otp(message: "m")))
        XCTAssertEqual(CheckoutPageStep.of(session: .open, intent: .requiresAction, nextAction: nil, lastFailure: nil), .pending)
        XCTAssertEqual(CheckoutPageStep.of(session: .open, intent: .processing, nextAction: nil, lastFailure: nil), .pending)
    }
}
