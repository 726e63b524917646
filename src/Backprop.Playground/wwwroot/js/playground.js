// The playground's only JavaScript: what the browser allows no other way. No arithmetic on the model here.

/** Puts an RGBA buffer (width × height × 4 bytes) into a canvas. */
export function drawPixels(canvasId, pixels, width, height) {
    const canvas = document.getElementById(canvasId);
    if (!canvas) return;
    if (canvas.width !== width) canvas.width = width;
    if (canvas.height !== height) canvas.height = height;
    const image = new ImageData(new Uint8ClampedArray(pixels.slice()), width, height);
    canvas.getContext("2d").putImageData(image, 0, 0);
}

export function getHash() {
    return window.location.hash;
}

/** Replaces the hash without adding a history entry for every setting touched. */
export function setHash(hash) {
    if (window.location.hash !== hash) history.replaceState(null, "", hash);
}

export function download(fileName, bytes) {
    const blob = new Blob([bytes.slice()], { type: "application/octet-stream" });
    const link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = fileName;
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 1000);
}

export function copyText(text) {
    navigator.clipboard?.writeText(text);
}

/** Resolves on the next animation frame, so a training slice ends where the browser paints. */
export function nextFrame() {
    return new Promise(resolve => requestAnimationFrame(() => resolve()));
}

/** Draws straight lines on a canvas: 6 numbers each (x1, y1, x2, y2, width, sign), blue for sign > 0, orange below. */
export function drawLines(canvasId, lines, width, height) {
    const canvas = document.getElementById(canvasId);
    if (!canvas) return;
    const ratio = window.devicePixelRatio || 1;
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
    const context = canvas.getContext("2d");
    context.scale(ratio, ratio);
    context.lineCap = "round";
    const values = lines.slice();
    for (let i = 0; i + 5 < values.length; i += 6) {
        context.beginPath();
        context.moveTo(values[i], values[i + 1]);
        context.lineTo(values[i + 2], values[i + 3]);
        context.lineWidth = values[i + 4];
        context.strokeStyle = values[i + 5] > 0 ? "rgb(8,119,189)" : "rgb(245,147,34)";
        context.stroke();
    }
}
