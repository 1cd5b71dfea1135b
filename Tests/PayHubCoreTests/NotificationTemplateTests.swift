import Foundation
@testable import PayHubCore
import XCTest

final class NotificationTemplateTests: XCTestCase {
    // MARK: - Parsing

    func testLiteralsVariablesAndSectionsParse() throws {
        let text = try TemplateText(parsing: "Hello{{#customer_name}} {{ customer_name }}{{/customer_name}}{{^customer_name}} there{{/customer_name}}: {{amount}}.")
        XCTAssertEqual(text.parts, [
            .literal("Hello"),
            .section("customer_name", inverted: false, [.literal(" "), .variable("customer_name")]),
            .section("customer_name", inverted: true, [.literal(" there")]),
            .literal(": "), .variable("amount"), .literal("."),
        ])
        XCTAssertEqual(text.variables, ["customer_name", "amount"])
    }

    func testTextWithoutTagsIsOneLiteral() throws {
        XCTAssertEqual(try TemplateText(parsing: "No variables } here }}").parts, [.literal("No variables } here }}")])
        XCTAssertEqual(try TemplateText(parsing: "").parts, [])
    }

    func testSectionsNest() throws {
        let text = try TemplateText(parsing: "{{#a}}A{{#b}}B{{b}}{{/b}}{{/a}}")
        XCTAssertEqual(text.parts, [.section("a", inverted: false, [.literal("A"), .section("b", inverted: false, [.literal("B"), .variable("b")])])])
        XCTAssertEqual(text.render(["a": "1", "b": "2"], escapingHTML: false), "AB2")
        XCTAssertEqual(text.render(["a": "1"], escapingHTML: false), "A")
        XCTAssertEqual(text.render(["b": "2"], escapingHTML: false), "")
    }

    func testMalformedTemplatesAreRefused() {
        let malformed = [
            "Hello {{customer_name", "{{}}", "{{ }}", "{{Amount}}", "{{amount-due}}", "{{9lives}}", "{{a b}}", "{{{amount}}}",
            "{{#amount}}unclosed", "{{/amount}}", "{{#a}}{{/b}}", "{{#a}}{{#b}}{{/a}}{{/b}}", "{{>partial}}", "{{!comment}}",
            "{{\(String(repeating: "a", count: 65))}}", "{{é}}",
        ]
        for source in malformed {
            XCTAssertThrowsError(try TemplateText(parsing: source), source)
        }
    }

    // MARK: - Rendering

    func testValuesAreEscapedInHTMLOnly() throws {
        let text = try TemplateText(parsing: "<p>{{customer_name}}</p><a href=\"{{link_url}}\">x</a>")
        let values = ["customer_name": "<script>alert('x')</script> & co", "link_url": "https://x.test/?a=1&b=\"2\""]
        XCTAssertEqual(
            text.render(values, escapingHTML: true),
            "<p>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; co</p><a href=\"https://x.test/?a=1&amp;b=&quot;2&quot;\">x</a>")
        XCTAssertEqual(text.render(values, escapingHTML: false), "<p><script>alert('x')</script> & co</p><a href=\"https://x.test/?a=1&b=\"2\"\">x</a>")
    }

    func testAValueIsNeverReadAsATemplate() throws {
        let text = try TemplateText(parsing: "{{customer_name}} {{amount}}")
        XCTAssertEqual(text.render(["customer_name": "{{amount}}", "amount": "€5"], escapingHTML: false), "{{amount}} €5")
    }

    func testAMissingValueRendersAsNothingAndSkipsItsSection() throws {
        let text = try TemplateText(parsing: "Hi{{#customer_name}} {{customer_name}}{{/customer_name}}{{^customer_name}}!{{/customer_name}} {{amount}}")
        XCTAssertEqual(text.render([:], escapingHTML: false), "Hi! ")
        XCTAssertEqual(text.render(["customer_name": ""], escapingHTML: false), "Hi! ", "an empty value counts as none")
        XCTAssertEqual(text.render(["customer_name": "Ada", "amount": "€1"], escapingHTML: false), "Hi Ada €1")
    }

    func testTheSubjectStaysOneLineWhateverAValueHolds() throws {
        let parsed = try template(subject: "Paid by {{customer_name}}").validated(for: .paymentSucceeded)
        let rendered = parsed.render(["customer_name": "Eve\r\nBcc: victim@example.com"])
        XCTAssertFalse(rendered.subject.contains(where: \.isNewline))
        XCTAssertEqual(rendered.subject, "Paid by Eve Bcc: victim@example.com")
    }

    // MARK: - Validation

    func testEveryEventHasTheCommonVariablesAndItsOwn() {
        for event in NotificationEvent.allCases {
            XCTAssertTrue(NotificationEvent.commonVariables.isSubset(of: event.variables), event.rawValue)
        }
        XCTAssertTrue(NotificationEvent.paymentLink.variables.isSuperset(of: ["link_url", "expires_at"]))
        XCTAssertTrue(NotificationEvent.paymentLinkReminder.variables.contains("link_url"))
        XCTAssertTrue(NotificationEvent.refundPartial.variables.isSuperset(of: ["refund_amount", "amount_refunded"]))
        XCTAssertTrue(NotificationEvent.refundTotal.variables.contains("refund_amount"))
        XCTAssertFalse(NotificationEvent.paymentSucceeded.variables.contains("link_url"))
        XCTAssertFalse(NotificationEvent.refundTotal.variables.contains("amount_refunded"))
    }

    func testAnUnknownVariableIsRefusedNamingTheField() {
        for field in NotificationTemplate.Field.allCases {
            var template = template()
            switch field {
            case .subject: template.subject = "Paid {{link_url}}"
            case .text: template.text = "{{#link_url}}x{{/link_url}}"
            case .html: template.html = "<p>{{nope}}</p>"
            case .sms: template.sms = "{{refund_amount}}"
            }
            XCTAssertThrowsError(try template.validated(for: .paymentSucceeded)) { error in
                XCTAssertEqual((error as? NotificationTemplateInvalid)?.field, field)
                XCTAssertTrue((error as? NotificationTemplateInvalid)?.problem.contains("unknown variable") == true, "\(error)")
            }
        }
        XCTAssertNoThrow(try template(sms: "{{link_url}}").validated(for: .paymentLink), "a variable of that event")
    }

    func testMalformedEmptyOverlongAndMultilineSubjectsAreRefused() {
        let cases: [(NotificationTemplate, NotificationTemplate.Field)] = [
            (template(html: "<p>{{amount</p>"), .html),
            (template(text: "  \n"), .text),
            (template(sms: String(repeating: "x", count: 1601)), .sms),
            (template(subject: "Two\nlines"), .subject),
        ]
        for (template, field) in cases {
            XCTAssertThrowsError(try template.validated(for: .paymentSucceeded)) { error in
                XCTAssertEqual((error as? NotificationTemplateInvalid)?.field, field, "\(error)")
            }
        }
    }

    func testAValidTemplateRendersAllFour() throws {
        let parsed = try template().validated(for: .paymentSucceeded)
        let rendered = parsed.render(["amount": "€12.50", "customer_name": "<b>Ada</b>", "merchant_name": "Shop"])
        XCTAssertEqual(rendered.subject, "Paid €12.50")
        XCTAssertEqual(rendered.text, "Thanks <b>Ada</b>")
        XCTAssertEqual(rendered.html, "<p>Thanks &lt;b&gt;Ada&lt;/b&gt;</p>")
        XCTAssertEqual(rendered.sms, "Shop: €12.50")
    }

    // MARK: - Backoff

    func testBackoffIsOneFiveThirtyMinutesTwoAndSixHoursThenNone() {
        XCTAssertEqual((1...5).map { NotificationBackoff.delay(afterAttempt: $0) }, [60, 300, 1800, 7200, 21600])
        XCTAssertNil(NotificationBackoff.delay(afterAttempt: 6))
        XCTAssertNil(NotificationBackoff.delay(afterAttempt: 0))
        XCTAssertNil(NotificationBackoff.delay(afterAttempt: -1))
        XCTAssertEqual(NotificationBackoff.maxAttempts, 6)
    }

    func testStatusesThatAreFinal() {
        XCTAssertEqual(NotificationStatus.allCases.filter(\.isFinal), [.sent, .failed])
    }

    func testHTMLEscapingCoversTheFiveCharacters() {
        XCTAssertEqual(HTMLEscaping.escape("<a href=\"x\">'&'</a>"), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;")
        XCTAssertEqual(HTMLEscaping.escape("Zoë €"), "Zoë €")
    }

    private func template(
        subject: String = "Paid {{amount}}", text: String = "Thanks {{customer_name}}", html: String = "<p>Thanks {{customer_name}}</p>",
        sms: String = "{{merchant_name}}: {{amount}}"
    ) -> NotificationTemplate {
        NotificationTemplate(subject: subject, text: text, html: html, sms: sms)
    }
}
