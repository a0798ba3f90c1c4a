// Milesight AM103 indoor ambience sensor: uplink decoder in the LoRaWAN
// device repository's codec format. Written for Socle (Apache-2.0) from
// the sensor's channel/type frame layout: a sequence of [channel, type,
// value...] records, little-endian.
function decodeUplink(input) {
  var b = input.bytes, data = {}, warnings = [];
  for (var i = 0; i < b.length;) {
    var channel = b[i++], type = b[i++];
    if (channel === 0x01 && type === 0x75) { // battery, %
      data.battery = b[i]; i += 1;
    } else if (channel === 0x03 && type === 0x67) { // temperature, int16 / 10 °C
      data.temperature = int16(b[i], b[i + 1]) / 10; i += 2;
    } else if (channel === 0x04 && type === 0x68) { // humidity, uint8 / 2 %RH
      data.humidity = b[i] / 2; i += 1;
    } else if (channel === 0x07 && type === 0x7d) { // CO2, uint16 ppm
      data.co2 = b[i] | (b[i + 1] << 8); i += 2;
    } else {
      warnings.push("unknown channel " + channel + " type " + type + ": rest ignored");
      break;
    }
  }
  if (i > b.length) {
    return { errors: ["truncated frame"] };
  }
  return { data: data, warnings: warnings };
}

function int16(lo, hi) {
  var v = lo | (hi << 8);
  return v > 0x7fff ? v - 0x10000 : v;
}
