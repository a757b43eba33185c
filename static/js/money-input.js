/* Group an amount typed as plain digits when the user leaves the box: 300000000 → 300.000.000,
   with the thousands separator of the page's language (data-thousands). Anything else (1.5, 1,5,
   letters) is left exactly as typed, for the server to explain: an amount is never rewritten
   into another number. */
(function () {
  "use strict";
  function group(input) {
    var typed = input.value.trim();
    if (!/^\d+$/.test(typed)) {
      return;
    }
    var separator = input.getAttribute("data-thousands") || ".";
    var digits = typed.replace(/^0+(?=\d)/, "");
    input.value = digits.replace(/\B(?=(\d{3})+(?!\d))/g, separator);
  }
  document.addEventListener("focusout", function (event) {
    var target = event.target;
    if (target && target.classList && target.classList.contains("vMoneyField")) {
      group(target);
    }
  });
})();
