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
