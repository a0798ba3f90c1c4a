package alerts

import "time"

// A battery rule is a threshold rule on the battery property with op "<"
// (Validate sets both): Evaluate applies it on ingestion, with its For and
// hysteresis, and only its message differs.

// OpeningMessage says in French what opened a threshold or battery alert.
func OpeningMessage(r *Rule, unit string, v float64, held time.Duration) string {
	if r.Kind == KindBattery {
		return BatteryMessage(r, unit, v)
	}
	return ThresholdMessage(r, unit, v, held)
}

// BatteryMessage says a battery is low, e.g. "Batterie faible : 3,1 V
// (seuil 3,3 V) — à remplacer".
func BatteryMessage(r *Rule, unit string, v float64) string {
	u := ""
	if unit != "" {
		u = " " + unit
	}
	return "Batterie faible : " + FormatNumber(v) + u + " (seuil " + FormatNumber(r.Threshold) + u + ") — à remplacer"
}
