import Foundation
import PayHubCore

/// JSON stored in text columns: small helpers with sorted keys so equal values store equally.
enum JSONText {
    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()
    private static let decoder = JSONDecoder()

    static func encode<T: Encodable>(_ value: T) -> String {
        guard let data = try? encoder.encode(value) else { return "null" }
        return String(decoding: data, as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, from text: String) -> T? {
        try? decoder.decode(T.self, from: Data(text.utf8))
    }
}

/// `NextAction` as stored in the attempts table.
struct StoredNextAction: Codable {
    var type: String
    var url: String?
    var returnURL: String?
    var message: String?
    var data: String?
    var bankTransfer: BankTransferInstructions?

    init(_ action: NextAction) {
        type = action.type
        switch action {
        case .redirectToURL(let url, let returnURL):
            self.url = url
            self.returnURL = returnURL
        case .otp(let message), .ussd(let message):
            self.message = message
        case .displayQRCode(let data):
            self.data = data
        case .displayBankTransferInstructions(let instructions):
            bankTransfer = instructions
        }
    }

    var action: NextAction? {
        switch type {
        case "redirect_to_url": url.map { .redirectToURL(url: $0, returnURL: returnURL) }
        case "otp": message.map { .otp(message: $0) }
        case "ussd": message.map { .ussd(message: $0) }
        case "display_qr_code": data.map { .displayQRCode(data: $0) }
        case "display_bank_transfer_instructions": bankTransfer.map { .displayBankTransferInstructions($0) }
        default: nil
        }
    }
}
