"""BLS12-381 G1 arithmetic for the independent checker. Standard library only.

Written from spec/02-crypto.md (§Generators: try-and-increment hash), spec/03-wire-format.md
(§Encodings and WIRE-007/WIRE-008: compressed points) and spec/11-pseudonyms.md (RFC 9380
hash_to_curve, suite BLS12381G1_XMD:SHA-256_SSWU_RO_). Affine coordinates, variable time: every
input here is public.
"""

import functools
import hashlib

from hashing import R, expand_message_xmd

# Base field modulus and curve E: y^2 = x^3 + 4 (BLS12-381 G1).
P = 0x1A0111EA397FE69A4B1BA7B6434BACD764774B84F38512BF6730D2A0F6B0F6241EABFFFEB153FFFFB9FEFFFFFFFFAAAB
B = 4
# The full cofactor of G1, (z - 1)^2 / 3, used by the try-and-increment hash (spec/02-crypto.md).
COFACTOR = 0x396C8C005555E1568C00AAAB0000AAAB
# RFC 9380 §8.8.1: the effective cofactor h_eff = 1 - z used by hash_to_curve's clear_cofactor.
H_EFF = 0xD201000000010001

INFINITY = None  # the identity element


class PointError(ValueError):
    """An encoding that WIRE-007 or WIRE-008 rejects."""


def sqrt(a: int):
    """A square root of `a` in F_p, or None (p = 3 mod 4)."""
    root = pow(a, (P + 1) // 4, P)
    return root if root * root % P == a % P else None


def is_on_curve(pt) -> bool:
    if pt is INFINITY:
        return True
    x, y = pt
    return (y * y - x * x * x - B) % P == 0


def neg(pt):
    if pt is INFINITY:
        return INFINITY
    return (pt[0], (-pt[1]) % P)


def add(p1, p2):
    if p1 is INFINITY:
        return p2
    if p2 is INFINITY:
        return p1
    x1, y1 = p1
    x2, y2 = p2
    if x1 == x2:
        if (y1 + y2) % P == 0:
            return INFINITY
        lam = 3 * x1 * x1 * pow(2 * y1, -1, P) % P
    else:
        lam = (y2 - y1) * pow(x2 - x1, -1, P) % P
    x3 = (lam * lam - x1 - x2) % P
    return (x3, (lam * (x1 - x3) - y1) % P)


def _jdouble(pt):
    x, y, z = pt
    if z == 0 or y == 0:
        return (1, 1, 0)
    a, b = x * x % P, y * y % P
    c = b * b % P
    d = 2 * ((x + b) * (x + b) - a - c) % P
    e = 3 * a % P
    x3 = (e * e - 2 * d) % P
    return (x3, (e * (d - x3) - 8 * c) % P, 2 * y * z % P)


def _jadd(p1, p2):
    if p1[2] == 0:
        return p2
    if p2[2] == 0:
        return p1
    x1, y1, z1 = p1
    x2, y2, z2 = p2
    z1z1, z2z2 = z1 * z1 % P, z2 * z2 % P
    u1, u2 = x1 * z2z2 % P, x2 * z1z1 % P
    s1, s2 = y1 * z2 * z2z2 % P, y2 * z1 * z1z1 % P
    if u1 == u2:
        return _jdouble(p1) if s1 == s2 else (1, 1, 0)
    h = (u2 - u1) % P
    i = 4 * h * h % P
    j = h * i % P
    rr = 2 * (s2 - s1) % P
    v = u1 * i % P
    x3 = (rr * rr - j - 2 * v) % P
    y3 = (rr * (v - x3) - 2 * s1 * j) % P
    return (x3, y3, ((z1 + z2) * (z1 + z2) - z1z1 - z2z2) * h % P)


def mul(pt, k: int):
    """k·pt for an integer k >= 0 (double and add in Jacobian coordinates)."""
    if pt is INFINITY or k == 0:
        return INFINITY
    acc = (1, 1, 0)
    for bit in bin(k)[2:]:
        acc = _jdouble(acc)
        if bit == "1":
            acc = _jadd(acc, (pt[0], pt[1], 1))
    x, y, z = acc
    if z == 0:
        return INFINITY
    zinv = pow(z, -1, P)
    zinv2 = zinv * zinv % P
    return (x * zinv2 % P, y * zinv2 * zinv % P)


def msm(pairs):
    """Σ k_i·P_i for (point, scalar) pairs, scalars reduced mod r."""
    acc = INFINITY
    for pt, k in pairs:
        acc = add(acc, mul(pt, k % R))
    return acc


def encode(pt) -> bytes:
    """Compressed 48-byte encoding (spec/03-wire-format.md §Encodings)."""
    if pt is INFINITY:
        return bytes([0xC0]) + bytes(47)
    x, y = pt
    out = bytearray(x.to_bytes(48, "big"))
    out[0] |= 0x80
    if y > P - y:
        out[0] |= 0x20
    return bytes(out)


@functools.lru_cache(maxsize=None)
def decode(data: bytes, allow_identity: bool):
    """Decode a compressed G1 point with exactly the checks of WIRE-007 (and WIRE-008 when the
    identity is not allowed)."""
    if len(data) != 48:
        raise PointError("a G1 point is 48 bytes")
    flags = data[0] & 0xE0
    if not flags & 0x80:
        raise PointError("compression flag not set")
    if flags & 0x40:
        if data != bytes([0xC0]) + bytes(47):
            raise PointError("identity with other bits set (not the canonical encoding)")
        if not allow_identity:
            raise PointError("identity where it is not allowed (WIRE-008)")
        return INFINITY
    x = int.from_bytes(bytes([data[0] & 0x1F]) + data[1:], "big")
    if x >= P:
        raise PointError("x not below p")
    y = sqrt(x * x * x + B)
    if y is None:
        raise PointError("not on the curve")
    larger = max(y, P - y)
    smaller = min(y, P - y)
    pt = (x, larger if flags & 0x20 else smaller)
    if mul(pt, R) is not INFINITY:
        raise PointError("not in the prime-order subgroup")
    return pt


# --- try-and-increment hash (spec/02-crypto.md §Generators), BLAKE2b-512 ------------------------


def _from_random_bytes(digest: bytes):
    """arkworks 0.4 G1 `from_random_bytes`, as spec/02-crypto.md describes it."""
    buf = bytearray(digest[:48])
    flags = buf[47] & 0xC0
    buf[47] &= 0x1F
    x = int.from_bytes(buf, "little")
    y_negative = flags & 0x80
    infinity = flags & 0x40
    if x >= P or (y_negative and infinity):
        return None, False
    if infinity:
        return (INFINITY, True) if x == 0 else (None, False)
    y = sqrt(x * x * x + B)
    if y is None:
        return None, False
    larger, smaller = max(y, P - y), min(y, P - y)
    return (x, smaller if y_negative else larger), True


def hash_to_g1_try_and_increment(data: bytes):
    digest = hashlib.blake2b(data, digest_size=64).digest()
    attempt = 1
    while True:
        pt, ok = _from_random_bytes(digest)
        if ok:
            return mul(pt, COFACTOR)
        digest = hashlib.blake2b(
            data + b"-attempt-" + attempt.to_bytes(8, "little"), digest_size=64
        ).digest()
        attempt += 1


# --- RFC 9380 hash_to_curve, BLS12381G1_XMD:SHA-256_SSWU_RO_ (spec/11-pseudonyms.md) --------------

# RFC 9380 §8.8.1: the isogenous curve E': y^2 = x^3 + A'·x + B', Z = 11.
ISO_A = 0x144698A3B8E9433D693A02C96D4982B0EA985383EE66A8D8E8981AEFD881AC98936F8DA0E0F97F5CF428082D584C1D
ISO_B = 0x12E2908D11688030018B12E8753EEE3B2016C1F0F24F4070A0B9C14FCEF35EF55A23215A316CEAA5D1CC48E98E172BE0
SSWU_Z = 11

# RFC 9380 Appendix E.2: the 11-isogeny map E' -> E, coefficients k_(i,0), k_(i,1), ... in
# ascending degree (the denominators are monic).
ISO_X_NUM = [
    0x11A05F2B1E833340B809101DD99815856B303E88A2D7005FF2627B56CDB4E2C85610C2D5F2E62D6EAEAC1662734649B7,
    0x17294ED3E943AB2F0588BAB22147A81C7C17E75B2F6A8417F565E33C70D1E86B4838F2A6F318C356E834EEF1B3CB83BB,
    0x0D54005DB97678EC1D1048C5D10A9A1BCE032473295983E56878E501EC68E25C958C3E3D2A09729FE0179F9DAC9EDCB0,
    0x1778E7166FCC6DB74E0609D307E55412D7F5E4656A8DBF25F1B33289F1B330835336E25CE3107193C5B388641D9B6861,
    0x0E99726A3199F4436642B4B3E4118E5499DB995A1257FB3F086EEB65982FAC18985A286F301E77C451154CE9AC8895D9,
    0x1630C3250D7313FF01D1201BF7A74AB5DB3CB17DD952799B9ED3AB9097E68F90A0870D2DCAE73D19CD13C1C66F652983,
    0x0D6ED6553FE44D296A3726C38AE652BFB11586264F0F8CE19008E218F9C86B2A8DA25128C1052ECADDD7F225A139ED84,
    0x17B81E7701ABDBE2E8743884D1117E53356DE5AB275B4DB1A682C62EF0F2753339B7C8F8C8F475AF9CCB5618E3F0C88E,
    0x080D3CF1F9A78FC47B90B33563BE990DC43B756CE79F5574A2C596C928C5D1DE4FA295F296B74E956D71986A8497E317,
    0x169B1F8E1BCFA7C42E0C37515D138F22DD2ECB803A0C5C99676314BAF4BB1B7FA3190B2EDC0327797F241067BE390C9E,
    0x10321DA079CE07E272D8EC09D2565B0DFA7DCCDDE6787F96D50AF36003B14866F69B771F8C285DECCA67DF3F1605FB7B,
    0x06E08C248E260E70BD1E962381EDEE3D31D79D7E22C837BC23C0BF1BC24C6B68C24B1B80B64D391FA9C8BA2E8BA2D229,
]
ISO_X_DEN = [
    0x08CA8D548CFF19AE18B2E62F4BD3FA6F01D5EF4BA35B48BA9C9588617FC8AC62B558D681BE343DF8993CF9FA40D21B1C,
    0x12561A5DEB559C4348B4711298E536367041E8CA0CF0800C0126C2588C48BF5713DAA8846CB026E9E5C8276EC82B3BFF,
    0x0B2962FE57A3225E8137E629BFF2991F6F89416F5A718CD1FCA64E00B11ACEACD6A3D0967C94FEDCFCC239BA5CB83E19,
    0x03425581A58AE2FEC83AAFEF7C40EB545B08243F16B1655154CCA8ABC28D6FD04976D5243EECF5C4130DE8938DC62CD8,
    0x13A8E162022914A80A6F1D5F43E7A07DFFDFC759A12062BB8D6B44E833B306DA9BD29BA81F35781D539D395B3532A21E,
    0x0E7355F8E4E667B955390F7F0506C6E9395735E9CE9CAD4D0A43BCEF24B8982F7400D24BC4228F11C02DF9A29F6304A5,
    0x0772CAACF16936190F3E0C63E0596721570F5799AF53A1894E2E073062AEDE9CEA73B3538F0DE06CEC2574496EE84A3A,
    0x14A7AC2A9D64A8B230B3F5B074CF01996E7F63C21BCA68A81996E1CDF9822C580FA5B9489D11E2D311F7D99BBDCC5A5E,
    0x0A10ECF6ADA54F825E920B3DAFC7A3CCE07F8D1D7161366B74100DA67F39883503826692ABBA43704776EC3A79A1D641,
    0x095FC13AB9E92AD4476D6E3EB3A56680F682B4EE96F7D03776DF533978F31C1593174E4B4B7865002D6384D168ECDD0A,
    0x01,
]
ISO_Y_NUM = [
    0x090D97C81BA24EE0259D1F094980DCFA11AD138E48A869522B52AF6C956543D3CD0C7AEE9B3BA3C2BE9845719707BB33,
    0x134996A104EE5811D51036D776FB46831223E96C254F383D0F906343EB67AD34D6C56711962FA8BFE097E75A2E41C696,
    0x00CC786BAA966E66F4A384C86A3B49942552E2D658A31CE2C344BE4B91400DA7D26D521628B00523B8DFE240C72DE1F6,
    0x01F86376E8981C217898751AD8746757D42AA7B90EEB791C09E4A3EC03251CF9DE405ABA9EC61DECA6355C77B0E5F4CB,
    0x08CC03FDEFE0FF135CAF4FE2A21529C4195536FBE3CE50B879833FD221351ADC2EE7F8DC099040A841B6DAECF2E8FEDB,
    0x16603FCA40634B6A2211E11DB8F0A6A074A7D0D4AFADB7BD76505C3D3AD5544E203F6326C95A807299B23AB13633A5F0,
    0x04AB0B9BCFAC1BBCB2C977D027796B3CE75BB8CA2BE184CB5231413C4D634F3747A87AC2460F415EC961F8855FE9D6F2,
    0x0987C8D5333AB86FDE9926BD2CA6C674170A05BFE3BDD81FFD038DA6C26C842642F64550FEDFE935A15E4CA31870FB29,
    0x09FC4018BD96684BE88C9E221E4DA1BB8F3ABD16679DC26C1E8B6E6A1F20CABE69D65201C78607A360370E577BDBA587,
    0x0E1BBA7A1186BDB5223ABDE7ADA14A23C42A0CA7915AF6FE06985E7ED1E4D43B9B3F7055DD4EBA6F2BAFAAEBCA731C30,
    0x19713E47937CD1BE0DFD0B8F1D43FB93CD2FCBCB6CAF493FD1183E416389E61031BF3A5CCE3FBAFCE813711AD011C132,
    0x18B46A908F36F6DEB918C143FED2EDCC523559B8AAF0C2462E6BFE7F911F643249D9CDF41B44D606CE07C8A4D0074D8E,
    0x0B182CAC101B9399D155096004F53F447AA7B12A3426B08EC02710E807B4633F06C851C1919211F20D4C04F00B971EF8,
    0x0245A394AD1ECA9B72FC00AE7BE315DC757B3B080D4C158013E6632D3C40659CC6CF90AD1C232A6442D9D3F5DB980133,
    0x05C129645E44CF1102A159F748C4A3FC5E673D81D7E86568D9AB0F5D396A7CE46BA1049B6579AFB7866B1E715475224B,
    0x15E6BE4E990F03CE4EA50B3B42DF2EB5CB181D8F84965A3957ADD4FA95AF01B2B665027EFEC01C7704B456BE69C8B604,
]
ISO_Y_DEN = [
    0x16112C4C3A9C98B252181140FAD0EAE9601A6DE578980BE6EEC3232B5BE72E7A07F3688EF60C206D01479253B03663C1,
    0x1962D75C2381201E1A0CBD6C43C348B885C84FF731C4D59CA4A10356F453E01F78A4260763529E3532F6102C2E49A03D,
    0x058DF3306640DA276FAAAE7D6E8EB15778C4855551AE7F310C35A5DD279CD2ECA6757CD636F96F891E2538B53DBF67F2,
    0x16B7D288798E5395F20D23BF89EDB4D1D115C5DBDDBCD30E123DA489E726AF41727364F2C28297ADA8D26D98445F5416,
    0x0BE0E079545F43E4B00CC912F8228DDCC6D19C9F0F69BBB0542EDA0FC9DEC916A20B15DC0FD2EDEDDA39142311A5001D,
    0x08D9E5297186DB2D9FB266EAAC783182B70152C65550D881C5ECD87B6F0F5A6449F38DB9DFA9CCE202C6477FAAF9B7AC,
    0x166007C08A99DB2FC3BA8734ACE9824B5EECFDFA8D0CF8EF5DD365BC400A0051D5FA9C01A58B1FB93D1A1399126A775C,
    0x16A3EF08BE3EA7EA03BCDDFABBA6FF6EE5A4375EFA1F4FD7FEB34FD206357132B920F5B00801DEE460EE415A15812ED9,
    0x1866C8ED336C61231A1BE54FD1D74CC4F9FB0CE4C6AF5920ABC5750C4BF39B4852CFE2F7BB9248836B233D9D55535D4A,
    0x167A55CDA70A6E1CEA820597D94A84903216F763E13D87BB5308592E7EA7D4FBC7385EA3D529B35E346EF48BB8913F55,
    0x04D2F259EEA405BD48F010A01AD2911D9C6DD039BB61A6290E591B36E636A5C871A5C29F4F83060400F8B49CBA8F6AA8,
    0x0ACCBB67481D033FF5852C1E48C50C477F94FF8AEFCE42D28C0F9A88CEA7913516F968986F7EBBEA9684B529E2561092,
    0x0AD6B9514C767FE3C3613144B45F1496543346D98ADF02267D5CEEF9A00D9B8693000763E3B90AC11E99B138573345CC,
    0x02660400EB2E4F3B628BDD0D53CD76F2BF565B94E72927C1CB748DF27942480E420517BD8714CC80D1FADC1326ED06F7,
    0x0E0FA1D816DDC03E6B24255E0D7819C171C40F65E273B853324EFCD6356CAA205CA2F570F13497804415473A1D634B8F,
    0x01,
]


def _poly(coeffs, x: int) -> int:
    acc = 0
    for c in reversed(coeffs):
        acc = (acc * x + c) % P
    return acc


def _sgn0(a: int) -> int:
    return a % P & 1


def _map_to_curve_sswu(u: int):
    """RFC 9380 §6.6.2 simplified SWU on E', straightforward version (the result is the same)."""
    z_u2 = SSWU_Z * u * u % P
    ta = (z_u2 * z_u2 + z_u2) % P
    den = ISO_A * (SSWU_Z if ta == 0 else -ta) % P
    x1 = ISO_B * (ta + 1) * pow(den, -1, P) % P
    gx1 = (x1 * x1 * x1 + ISO_A * x1 + ISO_B) % P
    y = sqrt(gx1)
    if y is not None:
        x = x1
    else:
        x = z_u2 * x1 % P
        gx2 = (x * x * x + ISO_A * x + ISO_B) % P
        y = sqrt(gx2)
    if _sgn0(u) != _sgn0(y):
        y = (-y) % P
    return x, y


def _iso_map(pt):
    x, y = pt
    xn, xd = _poly(ISO_X_NUM, x), _poly(ISO_X_DEN, x)
    yn, yd = _poly(ISO_Y_NUM, x), _poly(ISO_Y_DEN, x)
    if xd == 0 or yd == 0:
        return INFINITY
    return (xn * pow(xd, -1, P) % P, y * yn * pow(yd, -1, P) % P)


def hash_to_g1_rfc9380(dst: bytes, msg: bytes):
    """RFC 9380 hash_to_curve, suite BLS12381G1_XMD:SHA-256_SSWU_RO_ (L = 64, Z_pad 64 bytes)."""
    uniform = expand_message_xmd(msg, dst, 128, 64)
    u0 = int.from_bytes(uniform[:64], "big") % P
    u1 = int.from_bytes(uniform[64:], "big") % P
    q = add(_iso_map(_map_to_curve_sswu(u0)), _iso_map(_map_to_curve_sswu(u1)))
    return mul(q, H_EFF)
