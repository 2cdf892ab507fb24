import DOMPurify from "dompurify";

function showResults(term, list) {
  // ruleid: guard.javascript.dom-xss-sink
  list.innerHTML = "<li>Results for " + term + "</li>";
  // ok: guard.javascript.dom-xss-sink
  list.textContent = "Results for " + term;
  // ok: guard.javascript.dom-xss-sink
  list.innerHTML = DOMPurify.sanitize(term);
}

export function Review({ review }) {
  // ruleid: guard.javascript.react-dangerously-set-inner-html
  const body = <div dangerouslySetInnerHTML={{ __html: review.body }} />;
  return body;
}

export function SafeReview({ review }) {
  // ok: guard.javascript.react-dangerously-set-inner-html
  const body = <div dangerouslySetInnerHTML={{ __html: DOMPurify.sanitize(review.body) }} />;
  return body;
}
