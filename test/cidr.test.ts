import * as assert from "assert";
import { alignedIpv4, AUTO_MODE_RANGE, isAligned, overlaps, parseCidr } from "../components/pure/cidr";
import { CloudArmorEdgeProtection } from "../components";
import { assertProblems, refusal } from "./harness";

describe("CIDR ranges", () => {
    it("parse IPv4 and IPv6 with a real parser: no leading zeros, no out-of-range parts, no missing prefix", () => {
        assert.deepStrictEqual(parseCidr("192.168.16.0/23"), { version: 4, prefix: 23, start: 0xc0a81000n });
        assert.deepStrictEqual(parseCidr("2001:db8::/32"), { version: 6, prefix: 32, start: 0x20010db8n << 96n });
        assert.strictEqual(parseCidr("::/0")?.start, 0n);
        for (const bad of [
            "010.0.0.0/8",
            "10.0.0.256/8",
            "10.0.0.0/33",
            "10.0.0.0",
            "10.0.0.0/08",
            "2001:db8:::/32",
            "2001:db8::/129",
            "2001:db8::g/64",
            "::ffff:1.2.3.4/128",
            42,
        ]) {
            assert.strictEqual(parseCidr(bad), undefined, String(bad));
        }
    });

    it("tell alignment and overlap, including ranges that contain one another", () => {
        assert.ok(!isAligned(parseCidr("192.168.0.10/26")!));
        assert.strictEqual(alignedIpv4(parseCidr("192.168.0.10/26")!), "192.168.0.0/26");
        assert.ok(overlaps(parseCidr("10.0.0.0/8")!, AUTO_MODE_RANGE), "contains 10.128.0.0/9");
        assert.ok(overlaps(parseCidr("10.200.0.0/16")!, AUTO_MODE_RANGE), "inside it");
        assert.ok(!overlaps(parseCidr("10.0.0.0/9")!, AUTO_MODE_RANGE), "beside it");
        assert.ok(!overlaps(parseCidr("2001:db8::/32")!, AUTO_MODE_RANGE), "another family");
    });

    it("hold Cloud Armor's source ranges to the parser, IPv6 included", async () => {
        const ranges = ["203.0.113.0/24", "2001:db8::/48"];
        const bad = ["2001:db8:::/48", "203.0.113.0/24x"];
        assertProblems(
            await refusal(
                () =>
                    new CloudArmorEdgeProtection("edge", {
                        region: "us-central1",
                        allowedSourceRanges: [...ranges, ...bad],
                    }),
            ),
            [
                ["allowedSourceRanges[2]", bad[0]],
                ["allowedSourceRanges[3]", bad[1]],
            ],
        );
    });
});
