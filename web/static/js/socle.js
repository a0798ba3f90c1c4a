/*
 * socle.js: small enhancements of the Socle portal, on every page.
 *
 * - <button hidden data-copy-target="ID" data-copied-text="Copié">: shown
 *   by this script; a click copies the text of the element #ID (the value
 *   of an input or textarea) and shows data-copied-text for 2 seconds.
 * - <form data-autosubmit>: submitted when one of its selects changes (the
 *   form keeps its submit button for use without JavaScript).
 */
(function () {
	'use strict';

	var live;

	// say announces msg to screen readers (DSFR's fr-sr-only hides it).
	function say(msg) {
		if (!live) {
			live = document.createElement('p');
			live.className = 'fr-sr-only';
			live.setAttribute('aria-live', 'polite');
			document.body.appendChild(live);
		}
		live.textContent = '';
		setTimeout(function () {
			live.textContent = msg;
		}, 50);
	}

	function copied(b) {
		var label = document.createDocumentFragment(), msg = b.getAttribute('data-copied-text') || '';
		say(msg);
		if (b.socleCopied || !msg) {
			return;
		}
		while (b.firstChild) {
			label.appendChild(b.firstChild);
		}
		b.textContent = msg;
		b.socleCopied = setTimeout(function () {
			b.textContent = '';
			b.appendChild(label);
			b.socleCopied = 0;
		}, 2000);
	}

	// fallback copies through a selection, where navigator.clipboard is
	// missing (plain http other than localhost) or refused.
	function fallback(t, b) {
		var r = document.createRange(), s = window.getSelection();
		if (t.select) {
			t.select();
		} else {
			r.selectNodeContents(t);
			s.removeAllRanges();
			s.addRange(r);
		}
		try {
			if (document.execCommand('copy')) {
				copied(b);
			}
		} catch (e) {}
		s.removeAllRanges();
	}

	function copy(b) {
		var t = document.getElementById(b.getAttribute('data-copy-target')), text;
		if (!t) {
			return;
		}
		text = /^(INPUT|TEXTAREA)$/.test(t.tagName) ? t.value : t.textContent;
		if (navigator.clipboard && window.isSecureContext) {
			navigator.clipboard.writeText(text).then(function () {
				copied(b);
			}, function () {
				fallback(t, b);
			});
		} else {
			fallback(t, b);
		}
	}

	function start() {
		var bs = document.querySelectorAll('button[data-copy-target]'), i;
		for (i = 0; i < bs.length; i++) {
			bs[i].removeAttribute('hidden');
		}
		document.addEventListener('click', function (e) {
			var b = e.target.closest && e.target.closest('button[data-copy-target]');
			if (b) {
				e.preventDefault();
				copy(b);
			}
		});
		document.addEventListener('change', function (e) {
			var f = e.target.tagName === 'SELECT' && e.target.form;
			if (f && f.hasAttribute('data-autosubmit')) {
				if (f.requestSubmit) {
					f.requestSubmit();
				} else {
					f.submit();
				}
			}
		});
	}

	if (document.readyState === 'loading') {
		document.addEventListener('DOMContentLoaded', start);
	} else {
		start();
	}
}());
