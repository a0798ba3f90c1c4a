// Elsys ERS CO2 room sensor: uplink decoder in the LoRaWAN device
// repository's codec format. Written for Socle (Apache-2.0) from the Elsys
// frame layout: a sequence of [type, value...] records, big-endian.
function decodeUplink(input) {
  var b = input.bytes, data = {};
  var sizes = { 1: 2, 2: 1, 4: 2, 5: 1, 6: 2, 7: 2 };
  for (var i = 0; i < b.length;) {
    var type = b[i++], n = sizes[type];
    if (n === undefined) {
      return { data: data, warnings: ["unknown type " + type + ": rest ignored"] };
    }
    if (i + n > b.length) {
      return { errors: ["truncated frame"] };
    }
    var v = n === 1 ? b[i] : (b[i] << 8) | b[i + 1];
    i += n;
    switch (type) {
      case 1: data.temperature = (v > 0x7fff ? v - 0x10000 : v) / 10; break; // °C
      case 2: data.humidity = v; break; // %RH
      case 4: data.light = v; break; // lux
      case 5: data.pir = v; break; // motion count
      case 6: data.co2 = v; break; // ppm
      case 7: data.vdd = v; break; // mV
    }
  }
  return { data: data };
}
