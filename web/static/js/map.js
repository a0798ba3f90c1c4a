/*
 * map.js: progressive enhancement of the maps of the Socle portal.
 *
 * Each <div class="socle-map" data-geojson-url="..."> becomes a Leaflet map
 * of the GeoJSON FeatureCollection at that URL: points clustered
 * (leaflet.markercluster), lines and polygons drawn as shapes, a popup per
 * feature listing its properties. Without JavaScript, or if Leaflet did not
 * load, the div keeps what the server rendered in it.
 *
 * Attributes (texts rendered by the server):
 *   data-geojson-url        the FeatureCollection, same origin (required)
 *   data-tiles              XYZ template with {z}/{x}/{y}; empty: no base map
 *   data-tiles-attribution  attribution of the tiles, plain text
 *   data-title-field        property shown as the popup title
 *   data-class-field        property whose value names a marker class (socle-map-point--VALUE)
 *   data-layer-field        property whose values become layers, each with a toggle in a layer
 *                           control; data-layer-labels: JSON object value → label
 *   data-label              accessible name of the map
 *   data-loading-text, data-empty-text, data-error-text
 *   data-count-text         shown once loaded, {n} or %d = features drawn
 *   data-point-text         name of a marker without title, {n} = its rank
 *   data-zoom-in-text, data-zoom-out-text, data-close-text  control labels
 * (texts left out: French defaults or nothing).
 * It sets data-map-state (loading, loaded, empty, error) and, once the data
 * is drawn, data-features-loaded (features drawn) and data-features-total.
 *
 * Made for a strict CSP (no inline style or script, no eval); data reaches
 * the page through textContent only. The data shows even if no tile loads.
 */
(function () {
	'use strict';

	var BLUE = '#000091';

	function attr(el, name) {
		return el.getAttribute('data-' + name) || '';
	}

	function fill(template, n) {
		return template.replace(/\{n\}|%d/, n.toLocaleString(document.documentElement.lang || 'fr'));
	}

	// text renders a property value: objects (geo_point_2d, shapes, arrays)
	// as JSON, null as nothing.
	function text(v) {
		return v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
	}

	function node(tag, content) {
		var e = document.createElement(tag);
		if (content !== undefined) {
			e.textContent = content;
		}
		return e;
	}

	// popup is a table of the properties of a feature, captioned by its title.
	function popup(props, title) {
		var table = node('table'), body = node('tbody');
		table.className = 'socle-map-popup';
		if (title) {
			table.appendChild(node('caption', title));
		}
		Object.keys(props).forEach(function (k) {
			var tr = body.appendChild(node('tr'));
			tr.appendChild(node('th', k)).setAttribute('scope', 'row');
			tr.appendChild(node('td', text(props[k])));
		});
		table.appendChild(body);
		return table;
	}

	function get(url, done) {
		var x = new XMLHttpRequest();
		x.open('GET', url);
		x.onload = function () {
			var d = null;
			try {
				d = x.status === 200 ? JSON.parse(x.responseText) : null;
			} catch (e) {}
			done(d && d.type === 'FeatureCollection' && Array.isArray(d.features) ? d : null);
		};
		x.onerror = x.ontimeout = function () {
			done(null);
		};
		x.send();
	}

	function init(el) {
		var status = node('p'), n = 0, fitted = false, bounds, map, cluster, shapes;
		var icons = {}, classField = attr(el, 'class-field');
		var layerField = attr(el, 'layer-field'), byLayer = {}, hidden = {}, layerControl, toggles = [];
		var titleField = attr(el, 'title-field');

		// icon: one divIcon per value of data-class-field (CSS colours it).
		function icon(f) {
			var v = classField && f.properties ? text(f.properties[classField]).replace(/\W/g, '') : '';
			return icons[v] || (icons[v] = L.divIcon({className: 'socle-map-point' + (v ? ' socle-map-point--' + v : ''), iconSize: [14, 14]}));
		}

		function setState(state, msg) {
			el.setAttribute('data-map-state', state);
			status.textContent = msg;
			status.className = 'socle-map-status' + (state === 'error' ? ' socle-map-status--error' : '');
		}

		function guard(fn) {
			return function (arg) {
				try {
					fn(arg);
				} catch (e) {
					setState('error', attr(el, 'error-text'));
				}
			};
		}

		function fit() {
			if (bounds && bounds.isValid() && el.clientWidth > 0) {
				map.fitBounds(bounds, {padding: [24, 24], maxZoom: 16});
				fitted = true;
			}
		}

		function title(f) {
			return titleField && f.properties ? text(f.properties[titleField]) : '';
		}

		// bind gives a layer the popup of its feature, built when it opens.
		function bind(f, layer) {
			layer.bindPopup(function () {
				return popup(f.properties || {}, title(f));
			}, {maxWidth: 360});
			return layer;
		}

		function marker(latlng, f) {
			return bind(f, L.marker(latlng, {
				icon: icon(f),
				keyboard: true,
				title: title(f) || fill(attr(el, 'point-text') || 'Objet {n}', n + 1)
			}));
		}

		function draw(data) {
			var markers = [], points = [], i, j, f, g, ll;
			// null data (any failure) throws here: guard shows the error.
			for (i = 0; i < data.features.length; i++) {
				f = data.features[i];
				g = f && f.geometry;
				try {
					if (!g || !g.type) {
						continue;
					} else if (g.type === 'Point' || g.type === 'MultiPoint') {
						ll = (g.type === 'Point' ? [g.coordinates] : g.coordinates).map(L.GeoJSON.coordsToLatLng);
						for (j = 0; j < ll.length; j++) {
							points.push(ll[j]);
							markers.push(layered(marker(ll[j], f), f));
						}
					} else {
						shapes.addData(f);
					}
					n++;
				} catch (e) {
					// An invalid geometry: the feature is not drawn.
				}
			}
			bounds = L.latLngBounds(points);
			if (shapes.getLayers().length) {
				bounds.extend(shapes.getBounds());
				shapes.addTo(map);
			}
			if (!fitted) {
				fit(); // a live reload keeps the operator's view
			}
			cluster.addLayers(markers.filter(function (m) {
				return !hidden[m.socleLayer];
			}));
			if (layerField) {
				layers();
			}
			el.setAttribute('data-features-shown', String(cluster.getLayers().length));
			el.setAttribute('data-features-total', String(data.features.length));
			el.setAttribute('data-features-loaded', String(n));
			if (n) {
				setState('loaded', fill(attr(el, 'count-text') || '{n}', n));
			} else {
				setState('empty', attr(el, 'empty-text'));
			}
		}

		// layered files a marker under its data-layer-field value.
		function layered(m, f) {
			m.socleLayer = layerField && f.properties ? text(f.properties[layerField]) : '';
			if (layerField) {
				(byLayer[m.socleLayer] = byLayer[m.socleLayer] || []).push(m);
			}
			return m;
		}

		// layers (re)builds the layer control: one toggle (an empty layer
		// group) per value; toggling one adds or removes its markers.
		function layers() {
			var labels = {};
			try {
				labels = JSON.parse(attr(el, 'layer-labels') || '{}');
			} catch (e) {}
			if (layerControl) {
				map.removeControl(layerControl);
				toggles.forEach(function (g) {
					map.removeLayer(g);
				});
			}
			layerControl = L.control.layers(null, null, {collapsed: false});
			toggles = Object.keys(byLayer).sort().map(function (k) {
				var g = L.layerGroup();
				g.socleLayer = k;
				if (!hidden[k]) {
					g.addTo(map);
				}
				layerControl.addOverlay(g, labels[k] || k);
				return g;
			});
			layerControl.addTo(map);
		}

		function setup() {
			var tiles = attr(el, 'tiles');
			map = L.map(el, {center: [46.6, 2.4], zoom: 5, maxZoom: 19, zoomControl: false, scrollWheelZoom: false});
			L.control.zoom({
				zoomInTitle: attr(el, 'zoom-in-text') || 'Zoomer',
				zoomOutTitle: attr(el, 'zoom-out-text') || 'Dézoomer'
			}).addTo(map);
			// The wheel zooms only when the map has the focus (click, Tab).
			map.on('focus blur', function (e) {
				map.scrollWheelZoom[e.type === 'focus' ? 'enable' : 'disable']();
			});
			map.on('popupopen', function (e) {
				var b = e.popup.getElement().querySelector('.leaflet-popup-close-button');
				if (b) {
					b.setAttribute('aria-label', attr(el, 'close-text') || 'Fermer');
				}
			});
			if (tiles) {
				// A tile that fails leaves a blank square, nothing else.
				L.tileLayer(tiles, {
					maxZoom: 19,
					attribution: attr(el, 'tiles-attribution').replace(/[&<>"']/g, function (c) {
						return '&#' + c.charCodeAt(0) + ';';
					})
				}).addTo(map);
			}
			// A map in a hidden panel (tabs) has no size: fit once it has one.
			if (window.ResizeObserver) {
				new ResizeObserver(function () {
					map.invalidateSize();
					if (!fitted) {
						fit();
					}
				}).observe(el);
			}
			cluster = L.markerClusterGroup({showCoverageOnHover: false}).addTo(map);
			map.on('overlayadd overlayremove', function (e) {
				var k = e.layer.socleLayer;
				if (k !== undefined) {
					hidden[k] = e.type === 'overlayremove';
					cluster[hidden[k] ? 'removeLayers' : 'addLayers'](byLayer[k] || []);
					el.setAttribute('data-features-shown', String(cluster.getLayers().length));
				}
			});
			shapes = L.geoJSON(null, {
				style: function () {
					return {color: BLUE, weight: 2, fillColor: BLUE, fillOpacity: 0.15};
				},
				pointToLayer: function (f, latlng) {
					return marker(latlng, f);
				},
				onEachFeature: function (f, layer) {
					if (!(layer instanceof L.Marker)) {
						bind(f, layer);
					}
				}
			});
			get(attr(el, 'geojson-url'), guard(draw));
			// socleReload draws the data again (hyperviseur.js, on live events).
			el.socleReload = function () {
				get(attr(el, 'geojson-url'), guard(function (data) {
					cluster.clearLayers();
					shapes.clearLayers();
					n = 0;
					byLayer = {};
					draw(data);
				}));
			};
		}

		while (el.firstChild) {
			el.removeChild(el.firstChild);
		}
		el.className += ' socle-map--js';
		el.setAttribute('tabindex', '0');
		if (attr(el, 'label')) {
			el.setAttribute('aria-label', attr(el, 'label'));
			if (!el.getAttribute('role')) {
				el.setAttribute('role', 'region');
			}
		}
		status.setAttribute('aria-live', 'polite');
		el.parentNode.insertBefore(status, el.nextSibling);
		setState('loading', attr(el, 'loading-text'));
		guard(setup)();
	}

	function start() {
		var maps = document.querySelectorAll('div.socle-map[data-geojson-url]'), i;
		if (window.L && L.markerClusterGroup) {
			for (i = 0; i < maps.length; i++) {
				if (!maps[i].getAttribute('data-map-state')) {
					init(maps[i]);
				}
			}
		}
	}

	if (document.readyState === 'loading') {
		document.addEventListener('DOMContentLoaded', start);
	} else {
		start();
	}
}());
